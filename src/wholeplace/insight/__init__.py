"""Contextual insight: comparator groups, statistics, trends, early warning, profiles."""

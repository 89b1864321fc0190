"""Revision files of the access branch (the base other branches depend on)."""

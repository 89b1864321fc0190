"""Comparator groups: the context matrix read from the hub, the weighted distance between
councils with its reasons ("ours"), the CIPFA sets, the region, the county and custom groups."""

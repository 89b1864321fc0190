"""Whole-place spend: what every tier serving an area spends per resident (``wholeplace``) and
how that compares with the area's comparators (``compare``)."""

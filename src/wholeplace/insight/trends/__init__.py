"""Trends: the tests (Mann-Kendall with Sen's slope, least squares, change, runs) in
``analysis``, and a council's series with gaps, per head and real terms in ``view``."""

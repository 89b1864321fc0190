"""A council's indicators against its comparator group and England: bands by polarity (significance
only with an interval), sensitivity to the choice of group, and funnel data."""

"""Council tax as a household sees it: what a Band D bill in an area is and who gets it."""

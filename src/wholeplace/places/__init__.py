"""Places: every English council, its tier, the area it serves and who delivers what there."""

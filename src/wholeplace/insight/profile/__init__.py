"""The place profile (``build``) and the plain-English sentences that follow its statistics
exactly (``sentences``)."""

"""Migrations of the oidc branch (applied by ``wholeplace db upgrade``)."""

"""Migrations of the sessions branch of the access layer (applied by ``wholeplace db upgrade``)."""

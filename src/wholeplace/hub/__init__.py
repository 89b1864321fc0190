"""The data hub: published and uploaded data about English councils, with provenance.

Public entry points:

* :func:`wholeplace.hub.store.open_store` - open (and create) the DuckDB store.
* :func:`wholeplace.hub.load.load_registered` - load registered published sources.
* :func:`wholeplace.hub.load.load_file` - load one file (a registered source or an upload).
"""

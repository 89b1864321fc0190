"""Routers per area. Each handler gets a store, calls one function of :mod:`wholeplace.web.pages`
and renders the result as HTML or returns it as JSON."""

"""The web edge: a FastAPI app of server-rendered GOV.UK pages, each with a JSON twin, and an API.

Handlers are thin: :mod:`wholeplace.web.pages` builds the data of every page from the domain
queries; a route renders it as HTML (Jinja2, GOV.UK Frontend) or returns it as JSON.
"""

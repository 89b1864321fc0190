"""The FastAPI application factory.

    python -m uvicorn --factory wholeplace.web.app:create_app

Every asset (GOV.UK Frontend, swagger-ui) is served from /static: nothing is fetched from a CDN.
Run ``npm ci && scripts/vendor_assets.sh`` (``make assets``) once to put them there.
"""

from __future__ import annotations

import gc
import html
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from wholeplace.appdb import make_engine, require_migrated, session_factory
from wholeplace.config import Settings, database_url, get_settings, secret_key
from wholeplace.oidc.config import oidc_config
from wholeplace.oidc.provider import Provider
from wholeplace.web import access, errors
from wholeplace.web.access.guard import csrf_protect
from wholeplace.web.deps import StoreProvider
from wholeplace.web.routes import (
    account,
    admin,
    agreements,
    agreements_manage,
    api,
    audit_log,
    consult,
    consult_manage,
    consult_paper,
    consult_respond,
    consult_results,
    councils,
    datasets,
    early_warning,
    home,
    insight_api,
    oidc_signin,
    plans,
    profile,
    residents,
    subregion,
    uploads,
)
from wholeplace.web.upload_limit import BodyLimit

STATIC = Path(__file__).parent / "static"

DESCRIPTION = """Published data about English councils: the place register, who delivers which
service, indicators with their periods and provenance, and the catalogue of loaded datasets.
Missing values are `null` with a status, never 0. Errors are JSON:
`{"error": ..., "message": ..., "problems"?: [...]}`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    secret = secret_key(settings)  # refuse a missing or placeholder secret outside development
    engine = make_engine(database_url(settings))
    require_migrated(engine)  # refuse to start on an unmigrated application database
    stores = StoreProvider(settings.db, writable=settings.hub_writable)
    oidc = oidc_config(settings)  # None unless configured; a half configuration is refused

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Everything imported and built so far (modules, routes, the ORM's mappers: a few
        # hundred thousand objects) lives as long as the process: moved out of the cyclic
        # collector's view, a full collection no longer walks it. Under load those passes came
        # about once a second (a third of a submission's CPU, pauses of 100+ ms; a council
        # page's Jinja context is cyclic garbage). Given back at shutdown, so a process that
        # starts many apps (the tests) can free them.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            stores.close()
            engine.dispose()

    app = FastAPI(title="wholeplace", description=DESCRIPTION, version="0.1.0",
                  docs_url=None, redoc_url=None, lifespan=lifespan,
                  dependencies=[Depends(csrf_protect)])
    app.state.settings = settings
    app.state.stores = stores
    app.state.appdb = session_factory(engine)
    app.state.secret = secret
    app.state.oidc = Provider(oidc) if oidc else None
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    errors.install(app)
    access.install(app)
    # before any /consult/{slug} route:
    for module in (consult_manage, consult_results, consult_paper, consult):
        app.include_router(module.router)
    # Residents' pages and submissions early: routes are matched in order, one by one, and a
    # submission should not be tried against every other page first (no route below starts
    # with /consult).
    app.include_router(consult_respond.router)
    app.include_router(agreements_manage.router)  # before /agreements/{agreement_id}
    for module in (account, agreements, audit_log, home, councils, profile, early_warning,
                   datasets, api, insight_api, plans):
        app.include_router(module.router)
    app.include_router(oidc_signin.router)
    app.include_router(admin.router)
    app.include_router(uploads.router)
    app.include_router(subregion.router)
    app.add_middleware(BodyLimit, paths=uploads.UPLOAD_PATHS)
    app.include_router(residents.router)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        # Swagger UI started from a static file (static/swagger-init.js), not FastAPI's
        # inline script, which the content security policy refuses.
        openapi = html.escape(app.openapi_url or "/openapi.json")
        return HTMLResponse(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>wholeplace API</title>"
            '<link rel="icon" href="/static/govuk/assets/images/favicon.ico">'
            '<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>'
            f'<body><main><div id="swagger-ui" data-openapi-url="{openapi}"></div></main>'
            '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>'
            '<script src="/static/swagger-init.js"></script></body></html>')

    return app

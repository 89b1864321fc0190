"""The FastAPI application factory.

    python -m uvicorn --factory wholeplace.web.app:create_app

Every asset (GOV.UK Frontend, swagger-ui) is served from /static: nothing is fetched from a CDN.
Run ``npm ci && scripts/vendor_assets.sh`` (``make assets``) once to put them there.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from wholeplace.config import Settings, get_settings
from wholeplace.web import errors
from wholeplace.web.deps import StoreProvider
from wholeplace.web.routes import (
    api,
    consult,
    councils,
    datasets,
    early_warning,
    home,
    insight_api,
    profile,
)

STATIC = Path(__file__).parent / "static"

DESCRIPTION = """Published data about English councils: the place register, who delivers which
service, indicators with their periods and provenance, and the catalogue of loaded datasets.
Missing values are `null` with a status, never 0. Errors are JSON:
`{"error": ..., "message": ..., "problems"?: [...]}`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    stores = StoreProvider(settings.db)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        stores.close()

    app = FastAPI(title="wholeplace", description=DESCRIPTION, version="0.1.0",
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.stores = stores
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    errors.install(app)
    for module in (home, councils, profile, early_warning, datasets, api, insight_api,
                   consult):
        app.include_router(module.router)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url, title="wholeplace API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/govuk/assets/images/favicon.ico",
        )

    return app

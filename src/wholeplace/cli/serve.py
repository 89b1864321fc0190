"""`wholeplace serve`: run the web app with uvicorn."""

from __future__ import annotations

import os

import typer

from wholeplace.appdb import make_engine, require_migrated
from wholeplace.cli.common import globals_of, handles_errors
from wholeplace.config import database_url, secret_key
from wholeplace.hub.store import open_store

#: The web app's factory, run by uvicorn.
APP_FACTORY = "wholeplace.web.app:create_app"


@handles_errors
def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address to listen on "
                                    "(default 127.0.0.1, or WHOLEPLACE_HOST)."),
    port: int | None = typer.Option(None, "--port", help="Port to listen on "
                                    "(default 8000, or WHOLEPLACE_PORT)."),
) -> None:
    """Run the web app (pages and JSON API) over the hub.

    Example: wholeplace serve --port 8080
    """
    import uvicorn

    settings = globals_of(ctx).settings()
    open_store(settings.db, read_only=True).close()  # fail now, clearly, if there is no hub
    secret_key(settings)  # and if the secret or the application database is not ready
    engine = make_engine(database_url(settings))
    require_migrated(engine)
    engine.dispose()
    if settings.database_url is None:
        os.environ["WHOLEPLACE_DATABASE_URL"] = database_url(settings)
    # The app reads its settings through get_settings(), i.e. from the environment.
    os.environ["WHOLEPLACE_DB"] = str(settings.db.resolve())
    if settings.sources is not None:
        os.environ["WHOLEPLACE_SOURCES"] = str(settings.sources.resolve())
    host = host or settings.host
    port = port or settings.port
    shown = "127.0.0.1" if host == "0.0.0.0" else host
    typer.echo(f"Serving {settings.db} at http://{shown}:{port}/ (Ctrl+C to stop)")
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port)

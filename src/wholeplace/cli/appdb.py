"""What the access commands share: a session on the migrated application database that
commits when the command succeeds, and the operator as the audited actor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from wholeplace.access.actor import Actor, operator_actor
from wholeplace.access.policy import Resource, allowed
from wholeplace.appdb import make_engine, require_migrated, session_factory
from wholeplace.cli.common import globals_of
from wholeplace.config import database_url
from wholeplace.errors import InputError


@contextmanager
def app_session(ctx: typer.Context) -> Iterator[Session]:
    engine = make_engine(database_url(globals_of(ctx).settings()))
    try:
        require_migrated(engine)
        with session_factory(engine)() as session, session.begin():
            yield session
    finally:
        engine.dispose()


def operator(action: str, resource: Resource = None) -> Actor:
    """The command-line operator, after asking the policy that they may take ``action``."""
    actor = operator_actor()
    if not allowed(actor, action, resource):
        raise InputError(f"The command line may not {action}.")
    return actor

"""The consult storage contract on SQLite and PostgreSQL: the migration creates exactly the
tables the models describe, and the database itself enforces the contract's constraints."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from wholeplace.access.models import Organisation, User
from wholeplace.appdb import Base, current_revisions, head_revisions, utcnow
from wholeplace.consult.tables import (
    CommentModeration,
    ConsultationRow,
    DraftRow,
    EventRow,
    ResponseRow,
)

TABLES = {"consultations", "consultation_responses", "consultation_drafts",
          "consultation_events", "comment_moderations"}


def test_migration_reaches_the_consult_head(app_engine):
    assert "0002_consult_response_time" in head_revisions(app_engine)
    assert current_revisions(app_engine) == head_revisions(app_engine)
    assert TABLES <= set(sa.inspect(app_engine).get_table_names())


def test_migration_matches_the_models_exactly(app_engine):
    consult_tables = {name: t for name, t in Base.metadata.tables.items() if name in TABLES}
    assert set(consult_tables) == TABLES
    with app_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata)
                 if _table_of(d) in TABLES]
    assert diffs == []


def _table_of(diff: object) -> str | None:
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:] if isinstance(item, tuple) else ():
        table = getattr(part, "table", None)
        if table is not None:
            return str(table.name)
        name = getattr(part, "name", None)
        if isinstance(part, sa.Table):
            return str(name)
        if isinstance(part, str) and part in TABLES:
            return part
    return None


def _consultation(session, slug: str = "demo-2025") -> ConsultationRow:
    session.add(Organisation(code="E06000031", name="Peterborough", org_type="council"))
    session.flush()
    row = ConsultationRow(org_code="E06000031", slug=slug, title="Budget 2025-26",
                          budget_year="2025-26", status="published", definition={"a": 1},
                          privacy_notice="We keep only what you tell us.")
    session.add(row)
    session.flush()
    return row


def _response(consultation: ConsultationRow, reference: str) -> ResponseRow:
    return ResponseRow(consultation_id=consultation.id, reference=reference,
                       definition_version=1, choices={}, outcome={"balance": "0"},
                       council_tax_change=Decimal("2.990"))


def test_rows_round_trip_with_their_defaults(app_session):
    c = _consultation(app_session)
    app_session.add(_response(c, "AB12-CD34-EF56"))
    app_session.add(DraftRow(consultation_id=c.id, token_hash="f" * 64, choices={},
                             expires_at=utcnow() + timedelta(days=30)))
    app_session.add(EventRow(consultation_id=c.id, stage="opened"))
    app_session.commit()
    got = app_session.scalars(sa.select(ResponseRow)).one()
    assert got.channel == "online" and got.comment_hidden is False and got.surge_flag is False
    assert got.council_tax_change == Decimal("2.990") and got.submitted_at.tzinfo is not None
    assert c.version == 1 and c.allow_multiple is False and c.household_check is False


@pytest.mark.parametrize("bad", [
    {"status": "open"},
])
def test_consultation_status_is_checked(app_session, bad):
    c = _consultation(app_session)
    app_session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        app_session.execute(sa.update(ConsultationRow).where(ConsultationRow.id == c.id)
                            .values(**bad))
        app_session.flush()


def test_references_and_slugs_are_unique(app_session):
    c = _consultation(app_session)
    app_session.add(_response(c, "SAME-REF"))
    app_session.flush()
    app_session.add(_response(c, "SAME-REF"))
    with pytest.raises(sa.exc.IntegrityError):
        app_session.flush()


def test_channel_stage_action_and_reason_are_checked(app_session):
    c = _consultation(app_session)
    user = User(email="officer@example.org", display_name="Officer")
    app_session.add(user)
    r = _response(c, "R1")
    app_session.add(r)
    app_session.flush()
    app_session.commit()
    for bad in (ResponseRow(consultation_id=c.id, reference="R2", definition_version=1,
                            choices={}, outcome={}, council_tax_change=Decimal(0),
                            channel="email"),
                EventRow(consultation_id=c.id, stage="finished"),
                CommentModeration(response_id=r.id, action="drop", reason="x",
                                  by_user=user.id),
                CommentModeration(response_id=r.id, action="hide", reason="",
                                  by_user=user.id)):
        app_session.add(bad)
        with pytest.raises(sa.exc.IntegrityError):
            app_session.flush()
        app_session.rollback()


def test_a_consultation_needs_a_real_organisation(app_session):
    app_session.add(ConsultationRow(org_code="E99999999", slug="x", title="x",
                                    budget_year="2025-26", definition={}))
    with pytest.raises(sa.exc.IntegrityError):
        app_session.flush()


def test_sqlite_syncs_every_commit(tmp_path):
    """synchronous=FULL in WAL mode: an acknowledged response survives power loss."""
    from wholeplace.appdb import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'd.sqlite'}")
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    engine.dispose()

"""Storing consultations and responses, on SQLite and PostgreSQL: every rule re-checked, nothing
stored when a response is refused, duplicates by browser and household, drafts, the funnel."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.consult_support import PETERBOROUGH, balanced, definition, seed
from wholeplace.appdb import utcnow
from wholeplace.consult import abuse
from wholeplace.consult import store as cs
from wholeplace.consult.tables import EventRow, ResponseRow
from wholeplace.errors import ConfigError, InputError, NotFoundError, ValidationError

KEY = b"k" * 32


def count(session) -> int:
    return session.scalar(select(func.count(ResponseRow.id)))


def test_submit_stores_the_checked_response_and_returns_a_reference(app_session):
    row = seed(app_session)
    got = cs.submit(app_session, row, cs.Submission(balanced(), browser_token_hash="b1",
                                                    age_band="35-44", comment="Keep libraries"))
    assert len(got.reference) == 14 and got.reference[4] == "-"
    app_session.expire_all()
    stored = app_session.scalars(select(ResponseRow)).one()
    assert stored.reference == got.reference and stored.definition_version == 1
    assert stored.outcome["lines"]["education"] == "-5836000"
    assert stored.outcome["balance"] == "36000" and stored.above_referendum_limit is False
    assert stored.choices["line_changes"] == {"education": "-5836000"}
    assert stored.comment == "Keep libraries" and stored.channel == "online"
    stages = app_session.scalars(select(EventRow.stage)).all()
    assert stages == ["completed"]


@pytest.mark.parametrize(("answer", "field"), [
    ({}, "balance"),
    ({"line_changes": {"education": "-14590001"}}, "line_changes.education"),
    ({"line_changes": {"education": "-5836000", "adult_social_care": "-2886000"}},
     "line_changes.adult_social_care"),
    ({"line_changes": {"education": "-5836000"}, "council_tax_change": "6"},
     "council_tax_change"),
    ({"line_changes": {"education": "-5836000"}, "reserves_use": "1100000"}, "reserves_use"),
])
def test_every_broken_rule_stores_nothing(app_session, answer, field):
    row = seed(app_session)
    with pytest.raises(ValidationError) as caught:
        cs.submit(app_session, row, cs.Submission(
            cs.Response.model_validate(answer), browser_token_hash="b1"))
    assert field in {p.column for p in caught.value.problems}
    app_session.rollback()
    assert count(app_session) == 0


def test_drafts_closed_and_out_of_date_consultations_take_nothing(app_session):
    draft = seed(app_session, "draft-one", publish=False)
    with pytest.raises(cs.ClosedError, match="not been published"):
        cs.submit(app_session, draft, cs.Submission(balanced(), browser_token_hash="b"))
    row = seed(app_session, "closing")
    cs.close(app_session, row)
    with pytest.raises(cs.ClosedError, match="closed on"):
        cs.submit(app_session, row, cs.Submission(balanced(), browser_token_hash="b"))
    late = seed(app_session, "late")
    c = definition()
    with pytest.raises(cs.ClosedError, match="closed on"):
        cs.submit(app_session, late, cs.Submission(balanced(), browser_token_hash="b"),
                  now=utcnow() + timedelta(days=(c.closes - c.opens).days + 2))
    assert count(app_session) == 0


def test_one_response_per_browser_unless_the_officer_allows_more(app_session):
    row = seed(app_session)
    cs.submit(app_session, row, cs.Submission(balanced(), browser_token_hash="same"))
    with pytest.raises(cs.DuplicateError, match="this browser"):
        cs.submit(app_session, row, cs.Submission(balanced(), browser_token_hash="same"))
    with pytest.raises(cs.MissingError, match="cookie"):
        cs.submit(app_session, row, cs.Submission(balanced(), browser_token_hash=None))
    many = seed(app_session, "many", allow_multiple=True)
    for _ in range(2):
        cs.submit(app_session, many, cs.Submission(balanced(), browser_token_hash="same"))
    assert count(app_session) == 3


def test_one_response_per_household_by_keyed_hash_only(app_session):
    row = seed(app_session, household_check=True, allow_multiple=True)
    with pytest.raises(ConfigError, match="household key"):
        cs.submit(app_session, row, cs.Submission(balanced(), household="1 High St"))
    with pytest.raises(cs.MissingError, match="council tax account"):
        cs.submit(app_session, row, cs.Submission(balanced(), household=" - "), household_key=KEY)
    got = cs.submit(app_session, row, cs.Submission(balanced(), household="1 High Street, PE1"),
                    household_key=KEY)
    assert got.household_hash == abuse.household_hash(KEY, "1 HIGH STREET PE1")
    assert "High" not in str(got.household_hash)
    with pytest.raises(cs.DuplicateError, match="household"):
        cs.submit(app_session, row, cs.Submission(balanced(), household="1 high street pe1"),
                  household_key=KEY)
    assert count(app_session) == 1


def test_a_surge_is_flagged_never_refused(app_session):
    row = seed(app_session, allow_multiple=True)
    rule = abuse.SurgeRule(window_minutes=10, factor=2, min_count=3)
    start = row.published_at
    # 18 responses, one every 5 minutes, then none for half an hour: over the 110 minutes
    # before the last window, a usual 18 / 11 = 1.6 responses a window...
    for minute in range(0, 90, 5):
        cs.submit(app_session, row, cs.Submission(balanced()), rule=rule,
                  now=start + timedelta(minutes=minute))
    # ...then 6 in a minute: flagged from the fourth (more than twice 1.6).
    late = start + timedelta(minutes=120)
    flags = [cs.submit(app_session, row, cs.Submission(balanced()), rule=rule,
                       now=late + timedelta(seconds=i)).surge_flag for i in range(6)]
    assert flags == [False, False, False, True, True, True]
    assert count(app_session) == 18 + 6


def test_import_publish_export_round_trip(app_session):
    row = seed(app_session, publish=False)
    assert row.status == "draft" and row.org_code == PETERBOROUGH
    assert "Peterborough" in row.privacy_notice
    assert cs.definition_of(row) == definition()
    assert not cs.save_definition(app_session, row, definition())
    assert cs.save_definition(app_session, row, definition(title="Another title"))
    assert row.version == 2 and row.title == "Another title"
    cs.publish(app_session, row)
    assert row.status == "published" and row.published_at is not None
    assert cs.get(app_session, "peterborough-test").id == row.id
    with pytest.raises(NotFoundError):
        cs.get(app_session, "nothing-here")
    with pytest.raises(InputError, match="already exists"):
        cs.create(app_session, definition(), PETERBOROUGH, slug="peterborough-test")
    with pytest.raises(InputError, match="not a usable address"):
        cs.create(app_session, definition(), PETERBOROUGH, slug="Bad Slug")


def test_one_set_of_rules_for_the_cli_and_the_officer_s_web_form(app_session):
    """store.create/publish/close/save_definition are the only implementation (the web form
    and the CLI both use them): the service's own page names, the council's own
    consultations, a written privacy notice, and each step only from the state before it."""
    seed(app_session, publish=False)  # Peterborough exists
    for reserved in ("manage", "preview"):
        with pytest.raises(InputError, match="own pages"):
            cs.create(app_session, definition(), PETERBOROUGH, slug=reserved)
    with pytest.raises(InputError, match="only its own consultations"):
        cs.create(app_session, definition(), "E07000008", slug="cambridge-test")
    row = cs.create(app_session, definition(), PETERBOROUGH, slug="web-form", privacy_notice="")
    with pytest.raises(InputError, match="privacy notice"):
        cs.publish(app_session, row)
    assert row.status == "draft"
    assert cs.save_definition(app_session, row, definition(), privacy_notice="We keep it.")
    assert row.version == 2  # the notice changed, the definition did not
    with pytest.raises(InputError, match="not published"):
        cs.close(app_session, row)
    cs.publish(app_session, row)
    with pytest.raises(InputError, match="only a draft"):
        cs.publish(app_session, row)
    cs.close(app_session, row)
    assert row.status == "closed" and row.closed_at is not None
    with pytest.raises(InputError, match="closed"):
        cs.save_definition(app_session, row, definition(title="Too late"))


def test_drafts_are_found_by_token_hash_and_expire(app_session):
    row = seed(app_session)
    cs.save_draft(app_session, row, "h" * 64, balanced(council_tax_change="1.5"))
    assert cs.load_draft(app_session, row, "h" * 64).council_tax_change == Decimal("1.5")
    cs.save_draft(app_session, row, "h" * 64, balanced())
    assert cs.load_draft(app_session, row, "h" * 64).council_tax_change == 0
    with pytest.raises(NotFoundError, match="expired"):
        cs.load_draft(app_session, row, "h" * 64, now=utcnow() + timedelta(days=31))
    with pytest.raises(NotFoundError):
        cs.load_draft(app_session, row, "x" * 64)


def test_funnel_events_once_per_visitor(app_session):
    row = seed(app_session)
    assert cs.record_event(app_session, row, "opened", "v1")
    assert not cs.record_event(app_session, row, "opened", "v1")
    assert cs.record_event(app_session, row, "started", "v1")
    assert cs.record_event(app_session, row, "opened", None)
    assert app_session.scalar(select(func.count(EventRow.id))) == 3

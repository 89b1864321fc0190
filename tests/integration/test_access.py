"""Organisations, people, roles, sign-in, reset links, agreements and the audit trail, on
SQLite and PostgreSQL (each test runs once per engine)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from wholeplace.access import (
    agreements,
    audit,
    memberships,
    organisations,
    resets,
    sessions,
    signin,
    users,
)
from wholeplace.access.organisations import Council
from wholeplace.access.policy import allowed
from wholeplace.access.models import WebSession
from wholeplace.appdb import session_factory, utcnow
from wholeplace.errors import InputError, NotFoundError

SECRET = "s" * 40
PASSWORD = "correct horse battery staple"
CAMBRIDGE, SOUTH_CAMBS = "E07000008", "E07000012"


@pytest.fixture
def world(app_session):
    s = app_session
    organisations.sync_councils(s, [Council(CAMBRIDGE, "Cambridge"),
                                    Council(SOUTH_CAMBS, "South Cambridgeshire")])
    organisations.add(s, "cpca-hub", "Subregional hub", "hub", [CAMBRIDGE, SOUTH_CAMBS],
                      known_councils={CAMBRIDGE, SOUTH_CAMBS})
    organisations.add(s, "cp-icb", "Integrated care board", "icb", [CAMBRIDGE])
    ann = users.add(s, "Ann@Example.org", "Ann", PASSWORD)
    bob = users.add(s, "bob@example.org", "Bob", PASSWORD)
    memberships.grant(s, ann, organisations.get(s, CAMBRIDGE), "data_protection_officer")
    memberships.grant(s, ann, organisations.get(s, CAMBRIDGE), "analyst")
    memberships.grant(s, bob, organisations.get(s, "cp-icb"), "data_protection_officer")
    s.commit()
    return s


def test_councils_sync_and_partners_serve_areas(world):
    assert organisations.get(world, CAMBRIDGE).name == "Cambridge"
    assert organisations.served_by(organisations.get(world, "cpca-hub")) == {CAMBRIDGE,
                                                                             SOUTH_CAMBS}
    assert organisations.sync_councils(world, [Council(CAMBRIDGE, "Cambridge City")]) == (0, 1)
    with pytest.raises(InputError, match="already exists"):
        organisations.add(world, "cp-icb", "Again", "icb")
    with pytest.raises(InputError, match="GSS code") as caught:
        organisations.add(world, "not-gss", "A council", "council", ["X1"])
    assert "areas must be GSS codes" in str(caught.value)
    with pytest.raises(InputError, match="not in the register"):
        organisations.add(world, "hub2", "Hub", "hub", ["E06000001"], known_councils=set())


def test_roles_and_the_actor(world):
    ann = users.get(world, "ann@example.org")
    assert memberships.roles_of(ann) == {CAMBRIDGE: {"analyst", "data_protection_officer"}}
    actor = signin.actor_of(ann, None)
    assert actor.acting_for == CAMBRIDGE  # one organisation: acts for it
    assert signin.actor_of(ann, "cp-icb").acting_for == CAMBRIDGE  # not a member there
    with pytest.raises(InputError, match="hub_admin"):
        memberships.grant(world, ann, organisations.get(world, CAMBRIDGE), "hub_admin")
    memberships.revoke(world, ann, organisations.get(world, CAMBRIDGE), "analyst")
    assert memberships.roles_of(ann) == {CAMBRIDGE: {"data_protection_officer"}}
    with pytest.raises(InputError, match="nothing to revoke"):
        memberships.revoke(world, ann, organisations.get(world, CAMBRIDGE), "analyst")


def test_wrong_password_and_unknown_account_get_the_same_message(world):
    with pytest.raises(signin.SignInError) as wrong:
        signin.authenticate(world, "ann@example.org", "not the password", "10.0.0.1")
    with pytest.raises(signin.SignInError) as unknown:
        signin.authenticate(world, "nobody@example.org", PASSWORD, "10.0.0.1")
    assert str(wrong.value) == str(unknown.value) == signin.WRONG
    assert signin.authenticate(world, " ANN@example.org ", PASSWORD, "10.0.0.1").email == \
        "ann@example.org"


def test_lockout_after_repeated_failures_even_with_the_right_password(world):
    for _ in range(signin.LOCK_AFTER):
        with pytest.raises(signin.SignInError, match="not right"):
            signin.authenticate(world, "ann@example.org", "wrong wrong wrong", "10.0.0.2")
    with pytest.raises(signin.SignInError, match="locked"):
        signin.authenticate(world, "ann@example.org", PASSWORD, "10.0.0.2")
    assert users.get(world, "ann@example.org").locked_until > utcnow()
    later = utcnow() + signin.LOCK_FOR + timedelta(minutes=1)
    assert signin.authenticate(world, "ann@example.org", PASSWORD, "10.0.0.2", now=later)


def test_disabled_account_cannot_sign_in_and_loses_its_sessions(world):
    bob = users.get(world, "bob@example.org")
    sessions.create(world, SECRET, timedelta(hours=1), bob.id)
    users.disable(world, bob)
    assert sessions.count_for(world, bob.id) == 0
    with pytest.raises(signin.SignInError, match="not right"):
        signin.authenticate(world, "bob@example.org", PASSWORD, None)


def test_one_address_is_throttled(world):
    for n in range(signin.ADDRESS_LIMIT):
        with pytest.raises(signin.SignInError):
            signin.authenticate(world, f"guess{n}@example.org", "x" * 12, "192.0.2.9")
    with pytest.raises(signin.SignInError, match="from your network"):
        signin.authenticate(world, "ann@example.org", PASSWORD, "192.0.2.9")


def test_sessions_expire_and_store_only_a_hash(world):
    ann = users.get(world, "ann@example.org")
    token, web = sessions.create(world, SECRET, timedelta(minutes=5), ann.id)
    assert web.id_hash != token and len(web.id_hash) == 64
    assert sessions.load(world, SECRET, token).user_id == ann.id
    assert sessions.load(world, "another secret" * 3, token) is None
    assert sessions.load(world, SECRET, token, now=utcnow() + timedelta(minutes=6)) is None
    assert sessions.load(world, SECRET, token) is None  # the expired row was removed


def test_an_idle_session_ends_and_a_used_one_is_stamped_at_most_once_a_minute(world):
    ann = users.get(world, "ann@example.org")
    token, web = sessions.create(world, SECRET, timedelta(hours=8), ann.id)
    start, idle = web.last_seen_at, timedelta(minutes=30)

    def seen() -> object:
        return world.scalar(sa.select(WebSession.last_seen_at)
                            .where(WebSession.id_hash == web.id_hash))

    view = sessions.lookup(world, SECRET, token, now=start + timedelta(seconds=30), idle=idle)
    assert view is not None and not view.touched and seen() == start  # only read
    later = start + timedelta(minutes=20)
    view = sessions.lookup(world, SECRET, token, now=later, idle=idle)
    assert view is not None and view.touched and seen() == later  # stamped: used again
    view = sessions.lookup(world, SECRET, token, now=later + timedelta(minutes=29), idle=idle)
    assert view is not None  # 49 minutes after sign-in, but only 29 idle
    assert sessions.lookup(world, SECRET, token, now=later + timedelta(minutes=29 + 31),
                           idle=idle) is None  # 31 minutes unused since the last stamp
    assert world.scalar(sa.select(sa.func.count()).select_from(WebSession)
                        .where(WebSession.id_hash == web.id_hash)) == 0  # and removed


def test_an_idle_session_ends_through_the_web(app_engine, app_url, register_db):
    """The web app applies WHOLEPLACE_SESSION_IDLE_MINUTES: a person who stops using the
    service is signed out, with nothing left of the session."""
    from fastapi.testclient import TestClient

    from tests.access_support import populate, settings_for
    from tests.access_support import sign_in as web_sign_in
    from wholeplace.web.app import create_app

    populate(app_engine)
    with TestClient(create_app(settings_for(register_db, app_url,
                                            session_idle_minutes=1))) as client:
        assert web_sign_in(client, "dpo@cambridge.example").status_code == 303
        assert client.get("/account.json").json()["signed_in"] is True
        with session_factory(app_engine)() as s, s.begin():  # two minutes pass unused
            s.execute(sa.update(WebSession).values(
                last_seen_at=utcnow() - timedelta(minutes=2)))
        assert client.get("/account.json").json() == {"signed_in": False}
        with app_engine.connect() as c:
            assert c.execute(sa.text("SELECT count(*) FROM web_sessions "
                                     "WHERE user_id IS NOT NULL")).scalar_one() == 0


def test_reset_link_is_one_time_and_expires(world):
    ann = users.get(world, "ann@example.org")
    token = resets.issue(world, SECRET, ann)
    sessions.create(world, SECRET, timedelta(hours=1), ann.id)
    resets.consume(world, SECRET, token, "a brand new passphrase")
    assert sessions.count_for(world, ann.id) == 0
    assert signin.authenticate(world, "ann@example.org", "a brand new passphrase", None)
    with pytest.raises(InputError, match="expired or has already been used"):
        resets.consume(world, SECRET, token, "yet another passphrase")
    old = resets.issue(world, SECRET, ann, lifetime=timedelta(seconds=-1))
    with pytest.raises(InputError, match="expired or has already been used"):
        resets.check(world, SECRET, old)
    with pytest.raises(InputError, match="at least 12"):
        resets.consume(world, SECRET, resets.issue(world, SECRET, ann), "short")


def terms(**changes):
    base = dict(title="Hospital discharge", purpose="Plan <b>discharge</b> support",
                parties=(CAMBRIDGE, "cp-icb"), items=("dataset:cambridge-upload",),
                article6_basis="public_task", article9_condition="h",
                start_date=date(2026, 1, 1), end_date=date(2027, 12, 31))
    base.update(changes)
    return agreements.Terms(**base)


def test_agreement_becomes_active_when_every_party_approves(world):
    ann, bob = users.get(world, "ann@example.org"), users.get(world, "bob@example.org")
    agreement = agreements.add(world, terms())
    assert agreement.status == "awaiting_approval"
    ann_actor = signin.actor_of(ann, CAMBRIDGE)
    assert allowed(ann_actor, "agreement.approve", agreements.ref(agreement, date.today()))
    assert not agreements.approve(world, agreement, CAMBRIDGE, ann)
    with pytest.raises(InputError, match="already approved"):
        agreements.approve(world, agreement, CAMBRIDGE, ann)
    assert agreements.in_force_items(world, "cp-icb", date(2026, 6, 1)) == set()
    assert agreements.approve(world, agreement, "cp-icb", bob)
    assert agreements.in_force_items(world, "cp-icb", date(2026, 6, 1)) == {
        ("dataset", "cambridge-upload")}
    assert agreements.in_force_items(world, "cp-icb", date(2028, 1, 1)) == set()
    assert agreements.status(agreement, date(2028, 1, 1)) == "expired"
    agreements.revoke(world, agreement)
    assert agreements.in_force_items(world, "cp-icb", date(2026, 6, 1)) == set()


def test_agreement_terms_are_checked_all_at_once(world):
    with pytest.raises(InputError) as caught:
        agreements.add(world, terms(parties=(CAMBRIDGE, "nope"), items=("table:x",),
                                    article6_basis="because", article9_condition="z",
                                    end_date=date(2025, 1, 1)))
    message = str(caught.value)
    for part in ("unknown organisations: nope", "dataset:<id>", "article 6", "article 9",
                 "end date"):
        assert part in message
    with pytest.raises(NotFoundError):
        agreements.get(world, 999)


def test_audit_verify_detects_an_edited_and_a_deleted_entry(world, app_engine):
    for n in range(5):
        audit.record(world, "cli:test", "test.action", f"target {n}", ip="127.0.0.1",
                     detail={"n": n, "text": "é <b>"})
    world.commit()
    assert audit.verify(world) == []
    rows = audit.entries(world)
    edited, deleted = rows[3], rows[1]  # newest first: seq 2 and seq 4
    edited_id, deleted_id, deleted_seq = edited.id, deleted.id, deleted.seq
    with app_engine.begin() as c:
        c.execute(sa.text("UPDATE audit_entries SET target = 'changed' WHERE id = :id"),
                  {"id": edited_id})
        c.execute(sa.text("DELETE FROM audit_entries WHERE id = :id"), {"id": deleted_id})
    world.expire_all()
    breaks = audit.verify(world)
    edited_break = next(b for b in breaks if b.entry_id == edited_id)
    assert "edited" in edited_break.problem
    after_deleted = next(b for b in breaks if "deleted" in b.problem)
    assert f"seq {deleted_seq} deleted" in str(after_deleted)
    assert after_deleted.entry_id == deleted_id + 1

"""The process's memory of live anonymous sessions (access/anonymous.py): a remembered session
is used only while the database would still give it unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wholeplace.access.anonymous import AnonymousSessions

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def remembered(**kw) -> AnonymousSessions:
    live = AnonymousSessions(MINUTE, **kw)
    live.remember("h1", "csrf-1", expires_at=START + timedelta(hours=1), seen_at=START)
    return live


def test_a_remembered_session_is_recalled_until_its_last_seen_stamp_is_due():
    live = remembered()
    found = live.recall("h1", START + timedelta(seconds=59))
    assert found is not None and found.csrf == "csrf-1"
    assert live.recall("h1", START + MINUTE) is None  # due to be stamped: read it again
    assert live.recall("h1", START) is None  # and forgotten meanwhile


def test_an_expired_or_idle_session_is_not_recalled():
    live = AnonymousSessions(timedelta(hours=2))
    live.remember("h1", "csrf-1", expires_at=START + timedelta(hours=1), seen_at=START)
    assert live.recall("h1", START + timedelta(hours=1)) is None
    live.remember("h2", "csrf-2", expires_at=START + timedelta(hours=3), seen_at=START)
    assert live.recall("h2", START + timedelta(minutes=30), idle=timedelta(minutes=30)) is None
    assert live.recall("h2", START + timedelta(minutes=29), idle=timedelta(minutes=30)) is None


def test_a_forgotten_or_unknown_session_is_not_recalled():
    live = remembered()
    assert live.recall("other", START) is None
    live.forget("h1")
    assert live.recall("h1", START) is None


def test_past_the_limit_the_oldest_remembered_are_dropped():
    live = remembered(max_remembered=2)
    live.remember("h2", "csrf-2", START + timedelta(hours=1), START)
    live.remember("h3", "csrf-3", START + timedelta(hours=1), START)
    assert len(live) == 2
    assert live.recall("h1", START) is None
    assert live.recall("h3", START) is not None


def test_the_memory_can_be_turned_off_so_every_request_reads_the_database():
    import os
    import subprocess
    import sys

    code = ("from datetime import UTC, datetime, timedelta\n"
            "from wholeplace.access import sessions\n"
            "now = datetime.now(UTC)\n"
            "sessions.LIVE.remember('h', 'c', now + timedelta(hours=1), now)\n"
            "print(sessions.LIVE.recall('h', now) is None)\n")
    for setting, read_again in (("0", "True"), ("1", "False")):
        env = {**os.environ, "WHOLEPLACE_ANONYMOUS_SESSION_MEMORY": setting}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)
        assert out.stdout.strip() == read_again

"""This process's memory of live anonymous sessions, so that a visitor's repeated requests
(a resident's page, then each submission) are not each a database read.

An anonymous session carries only a CSRF token: no person, no role, nothing it can read that
anyone else cannot. Its row never changes after it is created; it is only removed (expired,
idle, or replaced at sign-in). So a remembered one is used only while it would still be
found as it is, and no longer than :data:`sessions.SEEN_EVERY <wholeplace.access.sessions>`
after its last stamp: past its expiry, past the idle timeout, or once its last-seen time is
due to be written again, the request reads the database as before (and stamps it). A session
removed by this process (:func:`wholeplace.access.sessions.end`, or a lookup that found it
dead) is forgotten at once; one removed by another process is still honoured here for at
most that minute, as an anonymous session only. Signed-in sessions are never remembered:
signing out, being disabled or losing a role takes effect on the next request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

#: The most sessions remembered; past it the oldest remembered are dropped (they are then
#: read from the database again, nothing more).
MAX_REMEMBERED = 20_000


@dataclass(frozen=True)
class Remembered:
    csrf: str
    expires_at: datetime
    seen_at: datetime


class AnonymousSessions:
    """Live anonymous sessions by the keyed hash of their token (thread-safe)."""

    def __init__(self, fresh_for: timedelta, max_remembered: int = MAX_REMEMBERED) -> None:
        self.fresh_for, self.max_remembered = fresh_for, max_remembered
        self._found: dict[str, Remembered] = {}
        self._lock = threading.Lock()

    def remember(self, id_hash: str, csrf: str, expires_at: datetime,
                 seen_at: datetime) -> None:
        with self._lock:
            self._found.pop(id_hash, None)
            while len(self._found) >= self.max_remembered:
                del self._found[next(iter(self._found))]  # the oldest remembered
            self._found[id_hash] = Remembered(csrf, expires_at, seen_at)

    def recall(self, id_hash: str, now: datetime,
               idle: timedelta | None = None) -> Remembered | None:
        """The session, if it is remembered and would still be found unchanged: not expired,
        not idle, and not yet due for its last-seen stamp."""
        found = self._found.get(id_hash)
        if found is None:
            return None
        if now >= found.expires_at or now - found.seen_at >= self.fresh_for \
                or (idle is not None and found.seen_at + idle <= now):
            self.forget(id_hash)
            return None
        return found

    def forget(self, id_hash: str) -> None:
        with self._lock:
            self._found.pop(id_hash, None)

    def clear(self) -> None:
        with self._lock:
            self._found.clear()

    def __len__(self) -> int:
        return len(self._found)

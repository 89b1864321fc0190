"""Abuse and fairness controls for responses, as pure functions and one small in-process class.

- :class:`TokenBucket`: a per-client rate limit (one bucket per client key, e.g. the IP address).
  In-process state is enough for ONE server process, which sees every request; a deployment with
  several processes or servers needs a shared counter instead (a Redis ``INCR`` with expiry, or
  the rate limiting of the reverse proxy in front, e.g. nginx ``limit_req``).
- :func:`household_hash`: HMAC-SHA256 of a normalised council-tax reference or address under a
  key kept outside the database; the clear value is never stored or logged.
- :func:`is_surge`: whether the recent rate of responses is far above the consultation's usual
  rate, so new responses are flagged (never deleted) for an officer to review.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from wholeplace.errors import ConfigError

#: Environment variables naming the household key (the value, or a file that holds it).
HOUSEHOLD_KEY_ENV = "WHOLEPLACE_HOUSEHOLD_KEY"
HOUSEHOLD_KEY_FILE_ENV = "WHOLEPLACE_HOUSEHOLD_KEY_FILE"
MIN_KEY_LENGTH = 32


class TokenBucket:
    """``rate`` requests a second per key, with bursts of up to ``burst``; thread-safe.

    Keeps at most ``max_keys`` buckets (the least recently used are forgotten first), so a
    flood of addresses cannot exhaust memory.
    """

    def __init__(self, rate: float, burst: float, max_keys: int = 100_000) -> None:
        if rate <= 0 or burst < 1:
            raise ConfigError("A rate limit needs a rate above 0 a second and a burst of at "
                              "least 1.")
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, now: float) -> float:
        """Take one token for ``key`` at time ``now`` (seconds): 0.0 if allowed, else the
        seconds to wait before the next token."""
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - last) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait


def retry_after(wait: float) -> str:
    """A Retry-After header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait)))


_NOT_KEPT = re.compile(r"[^A-Z0-9]")


def normalise_household(value: str) -> str:
    """The same household however it is typed: upper case, letters and digits only."""
    return _NOT_KEPT.sub("", value.upper())


def household_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 of the normalised value (hex). Never store or log ``value`` itself."""
    return hmac.new(key, normalise_household(value).encode("utf-8"), hashlib.sha256).hexdigest()


def household_key(environ: dict[str, str] | None = None) -> bytes | None:
    """The household key from ``WHOLEPLACE_HOUSEHOLD_KEY_FILE`` (preferred) or
    ``WHOLEPLACE_HOUSEHOLD_KEY``; None when neither is set. Kept outside the database so that a
    copy of the database cannot be used to test guesses of addresses."""
    env = os.environ if environ is None else environ
    path = env.get(HOUSEHOLD_KEY_FILE_ENV)
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"Cannot read the household key file {path} "
                              f"({HOUSEHOLD_KEY_FILE_ENV}): {exc.strerror}.") from exc
    else:
        text = env.get(HOUSEHOLD_KEY_ENV, "").strip()
        if not text:
            return None
    if len(text) < MIN_KEY_LENGTH:
        raise ConfigError(f"The household key must be at least {MIN_KEY_LENGTH} characters; "
                          "make one with: python -c 'import secrets; "
                          "print(secrets.token_urlsafe(32))'.")
    return text.encode("utf-8")


@dataclass(frozen=True)
class SurgeRule:
    """Flag when the last ``window_minutes`` hold more than ``factor`` times the usual count
    for such a window, and at least ``min_count`` responses (a quiet start is no surge)."""

    window_minutes: int = 10
    factor: float = 5.0
    min_count: int = 30


def _threshold(earlier: int, earlier_minutes: float, rule: SurgeRule) -> float:
    windows = earlier_minutes / rule.window_minutes
    usual = earlier / windows if windows >= 1 else 0.0
    return rule.factor * max(usual, 1.0)


def is_surge(recent: int, earlier: int, earlier_minutes: float, rule: SurgeRule) -> bool:
    """``recent`` responses in the last window against ``earlier`` responses over the
    ``earlier_minutes`` before it. With no history, the usual rate is taken as one response
    per window, so only a burst of ``min_count`` or more is flagged."""
    if recent < rule.min_count:
        return False
    return recent > _threshold(earlier, earlier_minutes, rule)


def surge_cap(earlier: int, earlier_minutes: float, rule: SurgeRule) -> int:
    """The smallest recent count that is a surge (and so is every larger one): counting the
    recent responses can stop there without changing :func:`is_surge`'s answer."""
    return max(rule.min_count, math.floor(_threshold(earlier, earlier_minutes, rule)) + 1)

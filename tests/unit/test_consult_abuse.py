"""The abuse controls as pure functions: the token bucket, the household HMAC, the surge rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wholeplace.consult import abuse
from wholeplace.errors import ConfigError


def test_token_bucket_allows_a_burst_then_the_rate():
    bucket = abuse.TokenBucket(rate=2, burst=3)
    assert [bucket.take("a", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take("a", 0.0) == pytest.approx(0.5)  # one token every half second
    assert bucket.take("b", 0.0) == 0.0  # another client has its own bucket
    assert bucket.take("a", 0.5) == 0.0
    assert bucket.take("a", 0.5) > 0
    assert bucket.take("a", 100.0) == 0.0  # refilled, never beyond the burst
    assert [bucket.take("a", 100.0) for _ in range(3)][-1] > 0


def test_token_bucket_forgets_the_oldest_clients_first():
    bucket = abuse.TokenBucket(rate=1, burst=1, max_keys=2)
    bucket.take("a", 0.0)
    bucket.take("b", 0.0)
    bucket.take("c", 0.0)
    assert bucket.take("a", 0.0) == 0.0  # forgotten, so a full bucket again
    assert bucket.take("c", 0.0) > 0


def test_token_bucket_refuses_nonsense_settings():
    with pytest.raises(ConfigError):
        abuse.TokenBucket(rate=0, burst=5)


def test_retry_after_is_whole_seconds_at_least_one():
    assert abuse.retry_after(0.01) == "1" and abuse.retry_after(2.2) == "3"


def test_household_hash_normalises_and_never_contains_the_value():
    key = b"x" * 32
    one = abuse.household_hash(key, "12 Acacia Avenue, PE1 1AA")
    assert one == abuse.household_hash(key, "12 acacia avenue pe11aa")
    assert one != abuse.household_hash(b"y" * 32, "12 Acacia Avenue, PE1 1AA")
    assert len(one) == 64 and "ACACIA" not in one.upper()


def test_household_key_from_file_or_environment(tmp_path):
    assert abuse.household_key({}) is None
    assert abuse.household_key({abuse.HOUSEHOLD_KEY_ENV: "k" * 40}) == b"k" * 40
    path = tmp_path / "household.key"
    path.write_text("f" * 40 + "\n", encoding="utf-8")
    assert abuse.household_key({abuse.HOUSEHOLD_KEY_FILE_ENV: str(path)}) == b"f" * 40
    with pytest.raises(ConfigError, match="at least 32"):
        abuse.household_key({abuse.HOUSEHOLD_KEY_ENV: "short"})
    with pytest.raises(ConfigError, match="Cannot read"):
        abuse.household_key({abuse.HOUSEHOLD_KEY_FILE_ENV: str(tmp_path / "missing")})


@pytest.mark.parametrize(("recent", "earlier", "minutes", "expected"), [
    (29, 0, 0, False),      # below the minimum count: never a surge
    (30, 0, 0, True),       # no history: 30 in ten minutes is far above one
    (30, 600, 600, False),  # usual 10 per window: 30 is three times, not five
    (51, 600, 600, True),   # more than five times the usual 10
    (50, 600, 600, False),
    (40, 10, 5, True),      # under one window of history: the usual rate counts as one
])
def test_surge_rule_by_hand(recent, earlier, minutes, expected):
    assert abuse.is_surge(recent, earlier, minutes, abuse.SurgeRule()) is expected


@given(recent=st.integers(0, 10_000), earlier=st.integers(0, 100_000),
       minutes=st.floats(0, 100_000), factor=st.floats(1, 20), min_count=st.integers(1, 200),
       window=st.integers(1, 120))
def test_counting_recent_responses_can_stop_at_the_surge_cap(recent, earlier, minutes, factor,
                                                              min_count, window):
    rule = abuse.SurgeRule(window_minutes=window, factor=factor, min_count=min_count)
    cap = abuse.surge_cap(earlier, minutes, rule)
    assert abuse.is_surge(cap, earlier, minutes, rule)
    assert not abuse.is_surge(cap - 1, earlier, minutes, rule)
    assert abuse.is_surge(min(recent, cap), earlier, minutes, rule) == abuse.is_surge(
        recent, earlier, minutes, rule)

"""The secret key is refused when missing or a placeholder, except in development."""

from __future__ import annotations

import pytest

from wholeplace import config
from wholeplace.config import Settings, secret_key
from wholeplace.errors import ConfigError


@pytest.mark.parametrize("value", [None, "", "changeme", "secret", "short-but-not-placeholder"])
def test_missing_or_placeholder_secret_is_refused_in_production(value):
    with pytest.raises(ConfigError, match="WHOLEPLACE_SECRET_KEY"):
        secret_key(Settings(secret_key=value, env="production"))


def test_development_generates_a_secret_kept_beside_the_hub(tmp_path):
    hub = tmp_path / "hub.duckdb"
    first = secret_key(Settings(db=hub, secret_key=None, env="development"))
    assert len(first) >= 32
    assert secret_key(Settings(db=hub, secret_key="changeme", env="development")) == first
    assert (tmp_path / config.DEV_SECRET_FILE).stat().st_mode & 0o077 == 0


def test_a_real_secret_is_used_as_given():
    value = "k" * 20 + "-a-long-enough-value"
    assert secret_key(Settings(secret_key=value, env="production")) == value
    assert config.is_development(Settings(env="demo"))

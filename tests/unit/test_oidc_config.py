"""OpenID Connect settings: off unless an issuer is set, all or nothing, the secret from a
file or the environment and never in a repr; discovery documents checked."""

from __future__ import annotations

import pytest

from wholeplace.config import Settings
from wholeplace.errors import ConfigError
from wholeplace.oidc.config import oidc_config
from wholeplace.oidc.provider import ProviderError, endpoints_of

ISSUER = "https://login.example.org/tenant/v2.0"


def settings(**values: object) -> Settings:
    return Settings(**values)  # type: ignore[arg-type]


def test_off_unless_an_issuer_is_set():
    assert oidc_config(settings()) is None


def test_half_a_configuration_is_refused_naming_every_gap():
    with pytest.raises(ConfigError) as caught:
        oidc_config(settings(oidc_issuer="http://login.example.org"))
    message = str(caught.value)
    for gap in ("must be an https:// URL", "WHOLEPLACE_OIDC_CLIENT_ID is not set",
                "no client secret", "WHOLEPLACE_OIDC_ORGANISATIONS names no organisation"):
        assert gap in message


def test_the_secret_comes_from_a_file_and_never_shows(tmp_path):
    path = tmp_path / "secret"
    path.write_text("s3cret-value-from-a-file\n", encoding="utf-8")
    config = oidc_config(settings(oidc_issuer=ISSUER, oidc_client_id="app",
                                  oidc_client_secret_file=path,
                                  oidc_organisations="E07000008, cp-icb"))
    assert config is not None and config.client_secret == "s3cret-value-from-a-file"
    assert config.organisations == ("E07000008", "cp-icb")
    assert "s3cret" not in repr(config)
    env = settings(oidc_issuer=ISSUER, oidc_client_id="app", oidc_client_secret="from-env",
                   oidc_organisations="E07000008")
    assert "from-env" not in repr(env) and "from-env" not in str(env.model_dump())


def test_an_unreadable_secret_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="cannot be read"):
        oidc_config(settings(oidc_issuer=ISSUER, oidc_client_id="app",
                             oidc_client_secret_file=tmp_path / "absent",
                             oidc_organisations="E07000008"))


def test_a_local_http_issuer_is_allowed_for_tests():
    config = oidc_config(settings(oidc_issuer="http://127.0.0.1:8123", oidc_client_id="app",
                                  oidc_client_secret="x", oidc_organisations="E07000008"))
    assert config is not None and config.issuer == "http://127.0.0.1:8123"


def test_a_discovery_document_must_name_the_same_issuer_and_the_endpoints():
    good = {"issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize",
            "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/keys",
            "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"]}
    assert endpoints_of(ISSUER, good).algorithms == ("RS256",)  # never HMAC or none
    with pytest.raises(ProviderError, match="names issuer"):
        endpoints_of(ISSUER, {**good, "issuer": "https://evil.example"})
    with pytest.raises(ProviderError, match="no token_endpoint"):
        endpoints_of(ISSUER, {k: v for k, v in good.items() if k != "token_endpoint"})

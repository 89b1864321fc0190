"""The OpenID Connect tables: sign-ins under way, and the identity-provider subjects recorded
for accounts. The migrations ``oidc/migrations/0001_oidc`` and ``0002_oidc_sessions`` create exactly
these tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wholeplace.appdb.base import Base, UTCDateTime, utcnow


class OidcLogin(Base):
    """A sign-in sent to the identity provider and not yet back: the keyed hash of its state,
    the browser session it started in (so it can finish only there), its nonce and PKCE
    verifier. Used once; ended with the session."""

    __tablename__ = "oidc_logins"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_hash: Mapped[str] = mapped_column(
        ForeignKey("web_sessions.id_hash", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_path: Mapped[str] = mapped_column(String(2000), default="/")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OidcIdentity(Base):
    """An identity-provider subject (``iss`` + ``sub``) recorded for an account at its first
    sign-in by email; later sign-ins find the account by it even if the email changes."""

    __tablename__ = "oidc_identities"

    issuer: Mapped[str] = mapped_column(String(400), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OidcSession(Base):
    """The ID token a session was signed in with, kept for RP-initiated logout (the
    ``id_token_hint`` of the provider's end-session request). Removed with the session."""

    __tablename__ = "oidc_sessions"

    session_hash: Mapped[str] = mapped_column(
        ForeignKey("web_sessions.id_hash", ondelete="CASCADE"), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(400))
    id_token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

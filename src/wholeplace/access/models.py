"""The access tables: organisations, people, roles, sessions, agreements and the audit trail.

Every model is typed (``Mapped[...]``); the migration ``appdb/migrations/versions/0001_access``
creates exactly these tables.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wholeplace.appdb.base import Base, UTCDateTime, utcnow

#: Kinds of organisation. A council's code is its GSS code; a partner's code is chosen by the
#: person adding it (letters, digits, hyphens).
ORG_TYPES = ("council", "icb", "police", "fire", "voluntary", "hub")

#: Roles a person can hold in an organisation. ``hub_admin`` only in a subregional hub.
ROLES: tuple[str, ...] = ("viewer", "analyst", "finance_officer", "consultation_officer",
         "data_protection_officer", "admin", "hub_admin")
#: Roles of the residents index (its migration adds them to the memberships check).
ROLES = (*ROLES, "caseworker", "linkage_reviewer")

#: Agreement statuses as stored. "expired" is derived from the end date (see agreements.py).
AGREEMENT_STATUSES = ("draft", "awaiting_approval", "active", "revoked")

#: UK GDPR article 6(1) lawful bases.
ARTICLE6_BASES = ("consent", "contract", "legal_obligation", "vital_interests",
                  "public_task", "legitimate_interests")

#: UK GDPR article 9(2) conditions for special category data (a) to (j).
ARTICLE9_CONDITIONS = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint(_in("org_type", ORG_TYPES), name="org_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    org_type: Mapped[str] = mapped_column(String(20))
    demonstration: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    areas: Mapped[list[OrganisationArea]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", lazy="selectin")


class OrganisationArea(Base):
    """An area (GSS code) an organisation serves; for a hub, each council it serves."""

    __tablename__ = "organisation_areas"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(20), primary_key=True)

    organisation: Mapped[Organisation] = relationship(back_populates="areas")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    demonstration: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(lazy="selectin")


class WebSession(Base):
    """A server-side session. The cookie holds a random id; only its keyed hash is stored.

    Anonymous sessions (``user_id`` NULL) carry the CSRF token of the sign-in form.
    """

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                nullable=True, index=True)
    acting_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: When a request last used it, to the minute (access/migrations/0001_session_seen).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ResetToken(Base):
    """A one-time password-reset link; only the keyed hash of its token is stored."""

    __tablename__ = "reset_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Agreement(Base):
    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint(_in("status", AGREEMENT_STATUSES), name="status"),
        CheckConstraint(_in("article6_basis", ARTICLE6_BASES), name="article6_basis"),
        CheckConstraint("article9_condition IS NULL OR "
                        + _in("article9_condition", ARTICLE9_CONDITIONS),
                        name="article9_condition"),
        CheckConstraint("end_date >= start_date", name="dates"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    article6_basis: Mapped[str] = mapped_column(String(40))
    article9_condition: Mapped[str | None] = mapped_column(String(2), nullable=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    parties: Mapped[list[AgreementParty]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", lazy="selectin")
    items: Mapped[list[AgreementItem]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", lazy="selectin")


class AgreementParty(Base):
    __tablename__ = "agreement_parties"

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"),
                                              primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"),
                                                 primary_key=True)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    agreement: Mapped[Agreement] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship(lazy="selectin")


class AgreementItem(Base):
    """A dataset (hub source id) or indicator id an agreement covers."""

    __tablename__ = "agreement_items"
    __table_args__ = (CheckConstraint("kind IN ('dataset', 'indicator')", name="kind"),)

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"),
                                              primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    ref: Mapped[str] = mapped_column(String(200), primary_key=True)

    agreement: Mapped[Agreement] = relationship(back_populates="items")


class AuditEntry(Base):
    """One line of the append-only audit trail, chained to the one before by its hash."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(320))
    acting_for: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(80))
    target: Mapped[str | None] = mapped_column(String(400), nullable=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

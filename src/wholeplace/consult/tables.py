"""The consultation tables in the application database (the storage contract shared by the
resident's side and the officer's side).

``consult/models.py`` is the pydantic definition a consultation is made of; these are the
SQLAlchemy rows that store it, its responses, saved drafts, the drop-off funnel and comment
moderation. The migration ``consult/migrations/0001_consult`` creates exactly these tables.
Nothing here stores personal data in clear: browser tokens, draft tokens, visitors and
households are kept only as hashes.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from wholeplace.appdb.base import Base, UTCDateTime, utcnow

#: The life of a consultation.
STATUSES = ("draft", "published", "closed")
#: How a response arrived: a resident online, or an officer typing in a paper form.
CHANNELS = ("online", "paper")
#: The drop-off funnel's stages.
STAGES = ("opened", "started", "completed")
#: What a moderator can do to a comment (never delete it).
MODERATION_ACTIONS = ("hide", "show")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ConsultationRow(Base):
    """One published (or draft, or closed) consultation; ``definition`` is the pydantic
    Consultation as ``consult.definition.definition_data`` gives it."""

    __tablename__ = "consultations"
    __table_args__ = (CheckConstraint(_in("status", STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_code: Mapped[str] = mapped_column(String(40), ForeignKey("organisations.code"))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    budget_year: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    privacy_notice: Mapped[str] = mapped_column(Text, default="")
    allow_multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    household_check: Mapped[bool] = mapped_column(Boolean, default=False)
    adopted: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    demonstration: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ResponseRow(Base):
    """One resident's (or one paper form's) accepted response."""

    __tablename__ = "consultation_responses"
    __table_args__ = (CheckConstraint(_in("channel", CHANNELS), name="channel"),
                      # the surge detector counts a consultation's responses by time, and
                      # the duplicate checks look for a browser or household within one
                      Index("ix_consultation_responses_consultation_time", "consultation_id",
                            "submitted_at"),
                      Index("ix_consultation_responses_consultation_browser",
                            "consultation_id", "browser_token_hash"),
                      Index("ix_consultation_responses_consultation_household",
                            "consultation_id", "household_hash"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    definition_version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(8), default="online")
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)
    council_tax_change: Mapped[Decimal] = mapped_column(Numeric(7, 3))
    above_referendum_limit: Mapped[bool] = mapped_column(Boolean, default=False)
    age_band: Mapped[str | None] = mapped_column(String(20), nullable=True)
    area: Mapped[str | None] = mapped_column(String(120), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    comment_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    browser_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True,
                                                           index=True)
    household_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    surge_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class DraftRow(Base):
    """A resident's saved, unfinished response, reached again by a private link whose token
    is stored only as a hash."""

    __tablename__ = "consultation_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EventRow(Base):
    """One step of the drop-off funnel (opened, started, completed), without personal data."""

    __tablename__ = "consultation_events"
    __table_args__ = (CheckConstraint(_in("stage", STAGES), name="stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    stage: Mapped[str] = mapped_column(String(10))
    visitor_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommentModeration(Base):
    """A moderator hid or showed a comment, with a reason. Comments are never deleted."""

    __tablename__ = "comment_moderations"
    __table_args__ = (CheckConstraint(_in("action", MODERATION_ACTIONS), name="action"),
                      CheckConstraint("reason <> ''", name="reason"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("consultation_responses.id"))
    action: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str] = mapped_column(Text)
    by_user: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""The application-database tables of stored plans: a plan owned by an organisation, every saved
version of its definition (who saved it and when), and the partner organisations attached.

The migration ``budget/migrations/0001_plans.py`` creates exactly these tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wholeplace.access.models import Organisation
from wholeplace.appdb.base import Base, UTCDateTime, utcnow


class StoredPlan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"),
                                          index=True)
    demonstration: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[Organisation] = relationship(lazy="selectin")
    partners: Mapped[list[PlanPartner]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", lazy="selectin")
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanVersion.number")


class PlanVersion(Base):
    """One saved definition; each save adds a version, none is overwritten."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="plan_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Prevention models (intervention definitions) applied in the plan's scenarios.
    interventions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    saved_by: Mapped[str] = mapped_column(String(200))
    saved_for: Mapped[str | None] = mapped_column(String(40), nullable=True)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    plan: Mapped[StoredPlan] = relationship(back_populates="versions")


class PlanPartner(Base):
    """An organisation party to a plan, and the plan partner (definition id) it answers for."""

    __tablename__ = "plan_partners"
    __table_args__ = (UniqueConstraint("plan_id", "partner_id", name="plan_partner"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    partner_id: Mapped[str] = mapped_column(String(80))

    plan: Mapped[StoredPlan] = relationship(back_populates="partners")
    organisation: Mapped[Organisation] = relationship(lazy="selectin")

"""Consultations and responses in the application database: import a definition, publish,
close, find by slug, and submit a response durably.

Functions over a SQLAlchemy session; the rules are the engine's (``accept_response``), re-run
here on every submission whatever the page said. :func:`submit` commits before it returns the
receipt reference, so an acknowledged response is on disk: SQLite runs in WAL mode with
``synchronous=FULL`` (appdb/engine.py), which syncs the log at every commit and so survives a
power cut as well as a killed process (``NORMAL`` would survive only the latter); PostgreSQL's
default ``synchronous_commit=on`` does the same.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, defer

from wholeplace.consult import abuse
from wholeplace.consult.definition import definition_data, parse_definition
from wholeplace.consult.engine import Outcome, accept_response
from wholeplace.consult.models import Consultation, Response
from wholeplace.consult.tables import ConsultationRow, DraftRow, EventRow, ResponseRow
from wholeplace.errors import ConfigError, InputError, NotFoundError, WholeplaceError

#: Letters and digits that cannot be mistaken for one another when read aloud or copied.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
#: Web address names the app's own pages use (/consult/manage, /consult/preview).
RESERVED = frozenset({"manage", "preview"})
DEFAULT_PRIVACY = (
    "{council} runs this consultation to understand residents' priorities for its budget. "
    "We record only your choices and the optional answers you give (age band, area, comment), "
    "with the time you answered. We do not ask for your name, email or address. A random "
    "cookie stops the same browser answering twice; only a scrambled (hashed) form of it is "
    "kept. Comments may be published without any detail that could identify you; offensive "
    "comments are hidden. Responses are kept until the budget is set and the results published.")
#: How long a saved, unfinished response can be picked up again.
DRAFT_DAYS = 30


class Refusal(WholeplaceError):
    """A response refused for a reason people are told in their language: ``reason`` is a
    stable code (draft, closed, not_open, browser, household, no_cookie, no_household)."""

    status_code = 409

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason

    def to_dict(self) -> dict[str, str]:
        return {**super().to_dict(), "reason": self.reason}


class ClosedError(Refusal):
    """The consultation is not taking responses (a draft, closed, or outside its dates)."""


class DuplicateError(Refusal):
    """This browser or household has already responded."""


class MissingError(Refusal):
    """Something the consultation needs to count one response per browser or household."""

    status_code = 400


@dataclass(frozen=True)
class Submission:
    """A response and what came with it. Tokens and household values arrive in clear and are
    stored only as hashes."""

    response: Response
    age_band: str | None = None
    area: str | None = None
    comment: str | None = None
    browser_token_hash: str | None = None
    household: str | None = None
    started_at: datetime | None = None
    channel: str = "online"
    entered_by: int | None = None


#: Checked definitions by (id, version, last edit): parsing one is the costliest step of a
#: submission, and a stored definition changes only with a new version.
_PARSED: dict[tuple[int, int, str], Consultation] = {}


def definition_of(row: ConsultationRow) -> Consultation:
    key = (row.id, row.version, row.updated_at.isoformat() if row.updated_at else "")
    found = _PARSED.get(key) if row.id is not None else None
    if found is None:
        found = parse_definition(row.definition, f"consultation {row.slug}")
        if row.id is not None:
            if len(_PARSED) > 256:
                _PARSED.clear()
            _PARSED[key] = found
    return found


def default_slug(c: Consultation) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", c.council_name.lower()).strip("-")
    return f"{name}-{c.budget_year}" + ("-demo" if c.demonstration else "")


#: Built once: every resident's request looks its consultation up by slug.
_BY_SLUG = select(ConsultationRow).where(ConsultationRow.slug == bindparam("slug"))


def get(session: Session, slug: str) -> ConsultationRow:
    row = session.scalar(_BY_SLUG, {"slug": slug})
    if row is None:
        raise NotFoundError(f"There is no consultation {slug!r}. Check the address.")
    return row


def find(session: Session, slug: str) -> ConsultationRow | None:
    return session.scalar(_BY_SLUG, {"slug": slug})


#: The same without the definition's and the adopted budget's JSON: a resident's request reads
#: the definition from the parsed cache, and loads it only when that misses.
_PUBLIC_BY_SLUG = _BY_SLUG.options(defer(ConsultationRow.definition),
                                   defer(ConsultationRow.adopted))


def find_public(session: Session, slug: str) -> tuple[ConsultationRow, Consultation] | None:
    """A consultation and its checked definition, for residents' pages and submissions (the
    row comes without its ``definition`` and ``adopted`` columns: use the definition given)."""
    row = session.scalar(_PUBLIC_BY_SLUG, {"slug": slug})
    return None if row is None else (row, definition_of(row))


def check_slug(slug: str) -> str:
    """The web address name, unless it is malformed or one of the service's own pages."""
    if slug in RESERVED:
        raise InputError(f"/consult/{slug} is one of the service's own pages; choose another "
                         "name.")
    if not SLUG.match(slug):
        raise InputError(f"{slug!r} is not a usable address: use 1 to 80 lower-case letters, "
                         "digits and hyphens, starting with a letter or digit, like "
                         "budget-2025-26.")
    return slug


def create(session: Session, c: Consultation, org_code: str, slug: str | None = None,
           created_by: int | None = None, privacy_notice: str | None = None,
           now: datetime | None = None) -> ConsultationRow:
    """A new draft consultation from a checked definition, for ``org_code`` (which must be
    the definition's council). Without ``privacy_notice`` it gets the default notice; an
    officer's web form passes its own (possibly empty: then it must be written before
    publishing)."""
    slug = check_slug(slug or default_slug(c))
    if c.council_code != org_code:
        raise InputError(f"This consultation is for {c.council_code}, but it is being set up "
                         f"for {org_code}: a council sets up only its own consultations.")
    if find(session, slug) is not None:
        raise InputError(f"A consultation at /consult/{slug} already exists; choose another "
                         "name.")
    at = now or _now()
    if privacy_notice is None:
        privacy_notice = DEFAULT_PRIVACY.format(council=c.council_name)
    row = ConsultationRow(
        org_code=org_code, slug=slug, title=c.title, budget_year=c.budget_year, status="draft",
        definition=definition_data(c), version=1, demonstration=c.demonstration,
        privacy_notice=privacy_notice, created_by=created_by, created_at=at, updated_at=at)
    session.add(row)
    session.flush()
    return row


def save_definition(session: Session, row: ConsultationRow, c: Consultation,
                    privacy_notice: str | None = None, now: datetime | None = None) -> bool:
    """Replace the definition (and the privacy notice, when given); the version goes up by
    one when anything changed. A closed consultation, or another council's definition, is
    refused."""
    if row.status == "closed":
        raise InputError(f"{row.title} is closed: its definition can no longer change.")
    if c.council_code != row.org_code:
        raise InputError(f"The council code {c.council_code} is not this consultation's "
                         f"council {row.org_code}.")
    data = definition_data(c)
    notice = row.privacy_notice if privacy_notice is None else privacy_notice
    if data == row.definition and notice == row.privacy_notice:
        return False
    row.definition, row.title, row.budget_year = data, c.title, c.budget_year
    row.demonstration, row.privacy_notice = c.demonstration, notice
    row.version += 1
    row.updated_at = now or _now()
    session.flush()
    return True


def publish(session: Session, row: ConsultationRow, now: datetime | None = None) -> None:
    """Open a draft to residents: its definition must still check and its privacy notice be
    written."""
    if row.status != "draft":
        raise InputError(f"{row.title} is {row.status}: only a draft can be published.")
    if not row.privacy_notice.strip():
        raise InputError("Write the privacy notice before publishing: residents must be told "
                         "how their answers are used.")
    definition_of(row)  # refuse to publish a definition that no longer checks
    row.status, row.published_at, row.closed_at = "published", now or _now(), None
    row.updated_at = row.published_at
    session.flush()


def close(session: Session, row: ConsultationRow, now: datetime | None = None) -> None:
    if row.status != "published":
        raise InputError(f"{row.title} ({row.slug}) is {row.status}, not published, so it "
                         "cannot be closed.")
    row.status, row.closed_at = "closed", now or _now()
    row.updated_at = row.closed_at
    session.flush()


def taking_responses(row: ConsultationRow, c: Consultation, today: date) -> None:
    """Raise ClosedError unless the consultation is published and today is within its dates."""
    if row.status == "draft":
        raise ClosedError("This consultation has not been published yet, so it cannot take "
                          "responses. Nothing was recorded.", "draft")
    if row.status == "closed" or today > c.closes:
        raise ClosedError(f"This consultation closed on {c.closes:%d %B %Y}, so it can no "
                          "longer take responses. Nothing was recorded.", "closed")
    if today < c.opens:
        raise ClosedError(f"This consultation opens on {c.opens:%d %B %Y}. Nothing was "
                          "recorded.", "not_open")


def new_reference() -> str:
    """A receipt reference such as ``K7QM-2XPA-9RTD`` (about 59 bits of randomness)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
    return "-".join(chars[i:i + 4] for i in range(0, 12, 4))


def outcome_record(out: Outcome, response: Response) -> dict[str, Any]:
    """The outcome as stored: per line the change in pounds (decimal strings) and the levers."""
    def pounds(p: int) -> str:
        return format(Decimal(p) / 100, "f")

    return {"lines": {x.id: pounds(x.change_pence) for x in out.lines},
            "council_tax_change": format(response.council_tax_change, "f"),
            "adult_social_care_change": format(response.adult_social_care_change, "f"),
            "council_tax_yield": pounds(out.tax.yield_pence) if out.tax else "0",
            "fees": pounds(out.fees_pence), "reserves_use": pounds(out.reserves_pence),
            "one_off": pounds(out.one_off_pence), "balance": pounds(-out.remaining_pence)}


def write_lock(session: Session, row: ConsultationRow, exclusive: bool) -> None:
    """Take the write lock before reading what a write depends on. SQLite: BEGIN IMMEDIATE,
    so that a transaction that reads and then writes waits for other writers (busy_timeout)
    instead of failing with "database is locked" when its snapshot is stale. PostgreSQL,
    when ``exclusive``: lock the consultation's row, so that two submissions from the same
    browser or household cannot both pass the duplicate check."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif exclusive:
        session.execute(select(ConsultationRow.id).where(ConsultationRow.id == row.id)
                        .with_for_update())


def _duplicate(session: Session, row: ConsultationRow, column: Any, value: str) -> bool:
    found = session.scalar(select(ResponseRow.id).where(
        ResponseRow.consultation_id == row.id, column == value).limit(1))
    return found is not None


def _check_unique(session: Session, row: ConsultationRow, sub: Submission,
                  household: str | None) -> None:
    if not row.allow_multiple and sub.channel == "online":
        if not sub.browser_token_hash:
            raise MissingError("Your browser did not send the cookie this consultation uses "
                               "to count one response per browser. Allow cookies for this "
                               "site, reload the page and try again. Nothing was recorded.",
                               "no_cookie")
        if _duplicate(session, row, ResponseRow.browser_token_hash, sub.browser_token_hash):
            raise DuplicateError("A response from this browser has already been recorded, "
                                 "and this consultation takes one per browser. Nothing new "
                                 "was recorded.", "browser")
    if household is not None and _duplicate(session, row, ResponseRow.household_hash,
                                            household):
        raise DuplicateError("A response for this household has already been recorded, and "
                             "this consultation takes one per household. Nothing new was "
                             "recorded.", "household")


def _household(row: ConsultationRow, sub: Submission, key: bytes | None) -> str | None:
    if not row.household_check:
        return None
    if key is None:
        raise ConfigError(f"This consultation checks households but no household key is "
                                f"set; set {abuse.HOUSEHOLD_KEY_FILE_ENV}.")
    if not sub.household or not abuse.normalise_household(sub.household):
        raise MissingError("Enter your council tax account number or your address, so we "
                           "can count one response per household. Nothing was recorded.",
                           "no_household")
    return abuse.household_hash(key, sub.household)


def recent_counts(session: Session, row: ConsultationRow, now: datetime,
                  rule: abuse.SurgeRule) -> tuple[int, int, float]:
    """(responses in the last window, responses before it, minutes before it since the
    first response or publication). Both counts read only the index on (consultation,
    time), and the recent one stops at the first count that is a surge whatever follows
    (:func:`abuse.surge_cap`), so a flood does not make every submission count it."""
    since = now - timedelta(minutes=rule.window_minutes)
    mine = ResponseRow.consultation_id == row.id
    earlier = session.scalar(select(func.count()).select_from(ResponseRow).where(
        mine, ResponseRow.submitted_at < since)) or 0
    start = row.published_at or row.created_at
    minutes = max(0.0, (since - start).total_seconds() / 60)
    cap = abuse.surge_cap(int(earlier), minutes, rule)
    capped = select(ResponseRow.id).where(mine, ResponseRow.submitted_at >= since).limit(cap)
    recent = session.scalar(select(func.count()).select_from(capped.subquery())) or 0
    return int(recent), int(earlier), minutes


@dataclass(frozen=True)
class Checked:
    """A submission that keeps every rule of the definition it was checked against (the
    pure part of a submission, done before the write lock is taken)."""

    submission: Submission
    outcome: Outcome
    household: str | None
    against: tuple[int, datetime | None]  # the definition's (version, last edit)


def check(row: ConsultationRow, sub: Submission, at: datetime, *,
          household_key: bytes | None = None, c: Consultation | None = None) -> Checked:
    """Re-check a submission against the stored definition (``c``, when the caller has it):
    open, balanced, within every range, floor and cap, and (when asked) a household. Raises
    ClosedError, MissingError or ValidationError; reads nothing from the database."""
    c = c or definition_of(row)
    if sub.channel == "online":
        taking_responses(row, c, at.date())
    out = accept_response(c, sub.response)
    return Checked(sub, out, _household(row, sub, household_key), (row.version, row.updated_at))


def recheck(row: ConsultationRow, checked: Checked, at: datetime) -> Checked:
    """``checked`` against the consultation as it is now (``row`` freshly read under the
    write lock): still taking responses, valid under its current definition if that changed
    since, and a household hash if the officer turned the household check on meanwhile."""
    c = definition_of(row)
    sub = checked.submission
    if sub.channel == "online":
        taking_responses(row, c, at.date())
    household = checked.household if row.household_check else None
    if row.household_check and household is None:
        household = _household(row, sub, abuse.household_key())
    if checked.against == (row.version, row.updated_at) and household == checked.household:
        return checked
    out = checked.outcome if checked.against == (row.version, row.updated_at) \
        else accept_response(c, sub.response)
    return Checked(sub, out, household, (row.version, row.updated_at))


#: Surge counts carried through one transaction: per consultation id, [recent, earlier,
#: minutes], counted once and then increased by each response the transaction adds.
SurgeCounts = dict[int, list[float]]


def needs_unique_check(row: ConsultationRow, checked: Checked) -> bool:
    """Whether storing ``checked`` reads the responses already stored (one per browser or
    household): a writer holding unwritten rows must write them first."""
    online_once = not row.allow_multiple and checked.submission.channel == "online"
    return online_once or checked.household is not None


def response_values(session: Session, row: ConsultationRow, checked: Checked, at: datetime,
                    rule: abuse.SurgeRule | None = None, counts: SurgeCounts | None = None
                    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Take the write lock, refuse a duplicate and flag a surge; the columns of the response
    row to insert, and of its "completed" funnel event (online only). Raises DuplicateError
    or MissingError. Nothing is added: the caller inserts both in its transaction."""
    sub, out, household = checked.submission, checked.outcome, checked.household
    write_lock(session, row, exclusive=not row.allow_multiple or household is not None)
    _check_unique(session, row, sub, household)
    rule = rule or abuse.SurgeRule()
    known = counts.get(row.id) if counts is not None else None
    if known is None:
        known = [float(x) for x in recent_counts(session, row, at, rule)]
        if counts is not None:
            counts[row.id] = known
    known[0] += 1  # counting this one
    surge = abuse.is_surge(int(known[0]), int(known[1]), known[2], rule)
    response = sub.response
    values = {
        "consultation_id": row.id, "reference": new_reference(),
        "definition_version": row.version, "channel": sub.channel,
        "entered_by": sub.entered_by, "choices": response.model_dump(mode="json"),
        "outcome": outcome_record(out, response),
        "council_tax_change": response.council_tax_change
        + response.adult_social_care_change,
        "above_referendum_limit": bool(out.tax and out.tax.excessive),
        "age_band": sub.age_band, "area": sub.area, "comment": sub.comment or None,
        "comment_hidden": False, "browser_token_hash": sub.browser_token_hash,
        "household_hash": household, "surge_flag": surge, "started_at": sub.started_at,
        "submitted_at": at}
    event = {"consultation_id": row.id, "stage": "completed", "visitor_hash": None, "at": at} \
        if sub.channel == "online" else None
    return values, event


def store_checked(session: Session, row: ConsultationRow, checked: Checked, at: datetime,
                  rule: abuse.SurgeRule | None = None,
                  counts: SurgeCounts | None = None) -> ResponseRow:
    """:func:`response_values`, added to the session's transaction as objects (the caller
    commits)."""
    values, event = response_values(session, row, checked, at, rule, counts)
    stored = ResponseRow(**values)
    session.add(stored)
    if event is not None:
        session.add(EventRow(**event))
    return stored


def submit(session: Session, row: ConsultationRow, sub: Submission, *,
           household_key: bytes | None = None, rule: abuse.SurgeRule | None = None,
           now: datetime | None = None) -> ResponseRow:
    """Re-check everything, store the response and COMMIT; return the stored row (its
    ``reference`` is the receipt). Raises ClosedError, DuplicateError or ValidationError,
    storing nothing. (The web app batches many submissions into one commit instead:
    consult/writer.py.)"""
    at = now or _now()
    checked = check(row, sub, at, household_key=household_key)
    stored = store_checked(session, row, checked, at, rule)
    session.commit()
    return stored


def save_draft(session: Session, row: ConsultationRow, token_hash: str, response: Response,
               now: datetime | None = None) -> DraftRow:
    """Keep an unfinished response under a private link's token hash (created or replaced)."""
    at = now or _now()
    write_lock(session, row, exclusive=False)
    draft = session.scalar(select(DraftRow).where(DraftRow.token_hash == token_hash))
    if draft is None:
        draft = DraftRow(consultation_id=row.id, token_hash=token_hash, choices={},
                         expires_at=at)
        session.add(draft)
    draft.choices = response.model_dump(mode="json")
    draft.updated_at, draft.expires_at = at, at + timedelta(days=DRAFT_DAYS)
    session.flush()
    return draft


def load_draft(session: Session, row: ConsultationRow, token_hash: str,
               now: datetime | None = None) -> Response:
    draft = session.scalar(select(DraftRow).where(DraftRow.token_hash == token_hash,
                                                  DraftRow.consultation_id == row.id))
    if draft is None or draft.expires_at < (now or _now()):
        raise NotFoundError("This saved response link is not valid: it may have expired "
                            f"({DRAFT_DAYS} days) or been mistyped. Start again from the "
                            "consultation page.")
    return Response.model_validate(draft.choices)


def record_event(session: Session, row: ConsultationRow, stage: str,
                 visitor_hash: str | None, now: datetime | None = None) -> bool:
    """Record a funnel stage once per visitor (no personal data: a keyed hash of a random
    cookie). Returns whether a new event was written."""
    if visitor_hash is not None:
        write_lock(session, row, exclusive=False)
        seen = session.scalar(select(EventRow.id).where(
            EventRow.consultation_id == row.id, EventRow.stage == stage,
            EventRow.visitor_hash == visitor_hash).limit(1))
        if seen is not None:
            return False
    session.add(EventRow(consultation_id=row.id, stage=stage, visitor_hash=visitor_hash,
                         at=now or _now()))
    session.flush()
    return True


def _now() -> datetime:
    from wholeplace.appdb import utcnow

    return utcnow()

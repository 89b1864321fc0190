"""Group commit for residents' submissions: one writer thread stores every submission that is
waiting in ONE transaction and commits it, then answers each waiting request.

A request is answered only after the transaction holding its response has committed, so a
receipt still means the response is on disk (SQLite: WAL with ``synchronous=FULL``; PostgreSQL:
``synchronous_commit=on``). What changes is the cost: one sync of the log for a batch instead of
one each, and no queue of threads contending for SQLite's single write lock.

Inside the transaction every submission is checked as :func:`store.submit` checks it: the
consultation is read again under the write lock (still published and open, and re-validated if
its definition changed since the request checked it), duplicates are looked for (including
among the batch's own earlier responses, which are in the same transaction), and the surge
counts include the batch's responses. A refused submission adds nothing and the others go on;
if the transaction itself fails, each of its submissions is tried again alone, so one bad row
cannot take the rest down with it.

One writer per process: with several server processes on SQLite, their writers take turns at
the database's write lock (BEGIN IMMEDIATE), which is correct, only less batched.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, sessionmaker

from wholeplace.consult import abuse
from wholeplace.consult import store as cs
from wholeplace.consult.tables import ConsultationRow, EventRow, ResponseRow
from wholeplace.errors import NotFoundError, WholeplaceError

#: The most submissions committed in one transaction.
MAX_BATCH = 200

_RESPONSES = insert(cast(Table, ResponseRow.__table__))
_EVENTS = insert(cast(Table, EventRow.__table__))


@dataclass
class Job:
    row: ConsultationRow
    checked: cs.Checked
    future: Future[str] = field(default_factory=Future)


class GroupWriter:
    """Store checked submissions in batches on one thread; :meth:`put` gives a future of
    the receipt reference, set once the batch holding it has committed."""

    def __init__(self, factory: sessionmaker[Session], rule: abuse.SurgeRule | None = None,
                 max_batch: int = MAX_BATCH) -> None:
        self.factory, self.rule, self.max_batch = factory, rule, max_batch
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0  # how many transactions were committed (for tests and benchmarks)

    def put(self, row: ConsultationRow, checked: cs.Checked) -> Future[str]:
        job = Job(row, checked)
        self._ensure_running()
        self._queue.put(job)
        return job.future

    def close(self, timeout: float = 10.0) -> None:
        """Store what is queued, then stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def _ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="consult-writer",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            jobs = [first]
            while len(jobs) < self.max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                jobs.append(job)
            self._write(jobs)

    def _write(self, jobs: list[Job]) -> None:
        try:
            answers = self._transaction(jobs)
        except IntegrityError as exc:  # nothing of this batch was stored: one row broke a rule
            if len(jobs) > 1:
                for job in jobs:
                    self._write([job])
                return
            _answer(jobs[0], exc)
            return
        # Every waiting request must be answered, whatever went wrong (nothing was stored):
        except Exception as exc:  # noqa: BLE001  e.g. the database locked past its timeout
            for job in jobs:
                _answer(job, exc)
            return
        self.batches += 1
        for job, answer in zip(jobs, answers, strict=True):
            _answer(job, answer)

    def _transaction(self, jobs: list[Job]) -> list[str | BaseException]:
        at = cs._now()
        answers: list[str | BaseException] = []
        with self.factory() as s:
            cs.write_lock(s, jobs[0].row, exclusive=False)  # SQLite: BEGIN IMMEDIATE
            fresh = _fresh_rows(s, {job.row.id for job in jobs})
            counts: cs.SurgeCounts = {}
            rows = _Unwritten()
            for job in jobs:
                try:
                    answers.append(self._one(s, fresh, job, at, counts, rows))
                except WholeplaceError as exc:  # refused before anything was added
                    answers.append(exc)
            rows.write(s)
            s.commit()
        return answers

    def _one(self, s: Session, fresh: dict[int, ConsultationRow], job: Job, at: datetime,
             counts: cs.SurgeCounts, rows: _Unwritten) -> str:
        row = fresh.get(job.row.id)
        if row is None:
            raise NotFoundError(f"The consultation {job.row.slug!r} no longer exists. "
                                "Nothing was recorded.")
        checked = cs.recheck(row, job.checked, at)
        if cs.needs_unique_check(row, checked):
            rows.write(s)  # the duplicate check must see the batch's earlier responses
        response, event = cs.response_values(s, row, checked, at, self.rule, counts)
        rows.responses.append(response)
        if event is not None:
            rows.events.append(event)
        return str(response["reference"])


class _Unwritten:
    """Rows of a batch not yet sent to the database: written together, one statement per
    table (SQLAlchemy Core executemany; no ORM objects to build and flush)."""

    def __init__(self) -> None:
        self.responses: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    def write(self, s: Session) -> None:
        connection = s.connection()
        if self.responses:
            connection.execute(_RESPONSES, self.responses)
        if self.events:
            connection.execute(_EVENTS, self.events)
        self.responses, self.events = [], []


def _answer(job: Job, answer: str | BaseException) -> None:
    """Set the job's future (unless its request went away and cancelled it: a response then
    stored was never acknowledged, which durability allows)."""
    if not job.future.set_running_or_notify_cancel():
        return
    if isinstance(answer, str):
        job.future.set_result(answer)
    else:
        job.future.set_exception(answer)


def _fresh_rows(s: Session, ids: set[int]) -> dict[int, ConsultationRow]:
    """The consultations as they are now, without their definition's JSON: the parsed
    definition is cached by (id, version, last edit), and loaded only when that misses."""
    rows = s.scalars(select(ConsultationRow).where(ConsultationRow.id.in_(ids)).options(
        defer(ConsultationRow.definition), defer(ConsultationRow.adopted))).all()
    return {row.id: row for row in rows}

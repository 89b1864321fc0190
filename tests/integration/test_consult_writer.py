"""Group commit of residents' submissions (consult/writer.py), on SQLite and PostgreSQL: a batch
is one transaction whose every response is stored before any is answered; within a batch each
submission is checked as store.submit checks it (duplicates among the batch, the surge count,
the consultation re-read under the write lock); a batch that fails is tried again one by one."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.consult_support import balanced, definition, seed
from wholeplace.appdb import session_factory, utcnow
from wholeplace.consult import abuse
from wholeplace.consult import store as cs
from wholeplace.consult.tables import ResponseRow
from wholeplace.consult.writer import GroupWriter, Job
from wholeplace.errors import ValidationError


def stored(factory) -> list[ResponseRow]:
    with factory() as s:
        return list(s.scalars(select(ResponseRow).order_by(ResponseRow.id)).all())


def job(row, **sub) -> Job:
    return Job(row, cs.check(row, cs.Submission(balanced(), **sub), utcnow()))


@pytest.fixture
def factory(app_engine):
    return session_factory(app_engine)


def test_a_batch_is_one_commit_and_every_answer_is_a_stored_reference(factory):
    with factory() as s:
        row = seed(s, allow_multiple=True)
    writer = GroupWriter(factory)
    jobs = [job(row, browser_token_hash="same") for _ in range(5)]
    writer._write(jobs)
    assert writer.batches == 1
    references = [j.future.result(timeout=0) for j in jobs]
    assert sorted(references) == sorted(r.reference for r in stored(factory))
    assert len(set(references)) == 5


def test_a_duplicate_within_the_batch_is_refused_and_the_rest_stored(factory):
    with factory() as s:
        row = seed(s)  # one response per browser
    writer = GroupWriter(factory)
    jobs = [job(row, browser_token_hash="a"), job(row, browser_token_hash="a"),
            job(row, browser_token_hash="b")]
    writer._write(jobs)
    assert jobs[0].future.result(timeout=0) and jobs[2].future.result(timeout=0)
    with pytest.raises(cs.DuplicateError, match="browser"):
        jobs[1].future.result(timeout=0)
    assert sorted(r.browser_token_hash for r in stored(factory)) == ["a", "b"]


def test_the_surge_count_includes_the_batch_s_own_responses(factory):
    with factory() as s:
        row = seed(s, allow_multiple=True)
    writer = GroupWriter(factory, rule=abuse.SurgeRule(window_minutes=10, factor=2,
                                                       min_count=3))
    writer._write([job(row) for _ in range(6)])
    # no history: the usual rate is one a window, so the third (3 > 2 x 1) is flagged on
    assert [r.surge_flag for r in stored(factory)] == [False, False, True, True, True, True]


def test_a_consultation_closed_after_the_check_takes_nothing(factory):
    with factory() as s:
        row = seed(s, allow_multiple=True)
    pending = job(row)  # checked while published
    with factory() as s:
        cs.close(s, cs.get(s, row.slug))
        s.commit()
    GroupWriter(factory)._write([pending])
    with pytest.raises(cs.ClosedError, match="closed"):
        pending.future.result(timeout=0)
    assert stored(factory) == []


def test_a_definition_changed_after_the_check_is_checked_again(factory):
    with factory() as s:
        row = seed(s, allow_multiple=True)
    pending = job(row)  # balanced under version 1: education down £5,836,000
    c = definition()
    lines = [line.model_copy(update={"min_change": -line.step}) if line.id == "education"
             else line for line in c.lines]
    with factory() as s:
        assert cs.save_definition(s, cs.get(s, row.slug), c.model_copy(update={"lines": lines}))
        s.commit()
    GroupWriter(factory)._write([pending])
    with pytest.raises(ValidationError):
        pending.future.result(timeout=0)
    assert stored(factory) == []


def test_a_failed_batch_is_tried_again_one_by_one(factory):
    with factory() as s:
        row = seed(s, allow_multiple=True)
    writer = GroupWriter(factory)
    good, bad = job(row), job(row, entered_by=987_654)  # no such user: a foreign key fails
    writer._write([good, bad])
    assert good.future.result(timeout=0)
    with pytest.raises(IntegrityError):
        bad.future.result(timeout=0)
    assert [r.reference for r in stored(factory)] == [good.future.result()]


def test_submissions_from_many_threads_are_all_stored(factory):
    with factory() as s:
        row = seed(s, allow_multiple=True)
    writer = GroupWriter(factory)
    futures, lock = [], threading.Lock()

    def client() -> None:
        for _ in range(10):
            future = writer.put(row, job(row).checked)
            with lock:
                futures.append(future)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    references = {f.result(timeout=60) for f in futures}
    writer.close()
    assert len(references) == 80 and references == {r.reference for r in stored(factory)}
    assert 1 <= writer.batches <= 80
    with factory() as s:
        assert s.scalar(select(func.count(ResponseRow.id))) == 80

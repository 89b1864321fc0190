"""Benchmark of the access layer. Run: ``python -m benchmarks.access``.

Measures, on this machine:

- sign-in cost: argon2id hashing and verification of a password (median of ``--runs``), with
  the parameters wholeplace uses (wholeplace.access.passwords);
- the access check's added latency per request: resolving a session cookie into an Actor (one
  keyed hash, the session row, the person and their roles, the acting organisation) and asking
  the policy, p50 and p95 over ``--requests`` (target: p95 < 5 ms);
- the same end to end: GET /signed-out through the whole app in process, anonymous and signed
  in; the p95 difference is what the access layer adds to a page.

Each is timed twice: wall-clock, and the process's CPU time (``cpu_*``), which stays meaningful
on a machine whose cores are shared with other work (wall-clock then includes waiting).

It uses a new SQLite application database in a temporary folder, or ``--database-url`` (e.g. a
PostgreSQL database). Results are printed and written to ``benchmarks/results/access.json``
(not committed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from wholeplace.access import memberships, organisations, passwords, sessions, users
from wholeplace.access.policy import Org, allowed
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.web.access.middleware import resolve

ROOT = Path(__file__).resolve().parents[1]
SECRET = "benchmark-secret-that-is-long-enough-0123456789"
PASSWORD = "correct horse battery staple"


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def argon2_times(runs: int) -> dict[str, float]:
    hashes, verifies = [], []
    stored = passwords.hash_password(PASSWORD)
    for _ in range(runs):
        t = time.perf_counter()
        passwords.hash_password(PASSWORD)
        hashes.append(time.perf_counter() - t)
        t = time.perf_counter()
        assert passwords.verify_password(stored, PASSWORD)
        verifies.append(time.perf_counter() - t)
    return {"hash_median_s": statistics.median(hashes),
            "verify_median_s": statistics.median(verifies)}


def setup(url: str) -> tuple[object, str]:
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as s, s.begin():
        org = organisations.add(s, "bench-org", "Benchmark organisation", "voluntary")
        user = users.add(s, "bench@example.org", "Bench", PASSWORD)
        memberships.grant(s, user, org, "data_protection_officer")
        token, _ = sessions.create(s, SECRET, timedelta(hours=1), user.id, org.id)
    return factory, token


def check_times(factory: object, token: str, requests: int) -> dict[str, float]:
    times, cpu = [], []
    for _ in range(requests):
        t, c = time.perf_counter(), time.process_time()
        _, actor = resolve(factory, SECRET, token)  # type: ignore[arg-type]
        assert allowed(actor, "audit.view", Org("bench-org"))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {"p50_ms": quantile(times, 0.5) * 1000, "p95_ms": quantile(times, 0.95) * 1000,
            "cpu_p95_ms": quantile(cpu, 0.95) * 1000}


def page_times(url: str, requests: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from tests.access_support import sign_in
    from wholeplace.config import Settings
    from wholeplace.web.app import create_app

    hub = Path(tempfile.mkdtemp()) / "hub.duckdb"
    app = create_app(Settings(db=hub, database_url=url, secret_key=SECRET, env="production",
                              cookie_secure=False))
    result = {}
    for who in ("anonymous", "signed_in"):
        client = TestClient(app)
        if who == "signed_in":
            assert sign_in(client, "bench@example.org").status_code == 303
        for _ in range(20):
            client.get("/signed-out")
        times, cpu = [], []
        for _ in range(requests):
            t, c = time.perf_counter(), time.process_time()
            assert client.get("/signed-out").status_code == 200
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        result[f"{who}_p95_ms"] = quantile(times, 0.95) * 1000
        result[f"{who}_cpu_p95_ms"] = quantile(cpu, 0.95) * 1000
    result["added_p95_ms"] = result["signed_in_p95_ms"] - result["anonymous_p95_ms"]
    result["added_cpu_p95_ms"] = result["signed_in_cpu_p95_ms"] - result["anonymous_cpu_p95_ms"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
    factory, token = setup(url)
    results = {"database": url.split(":", 1)[0], "argon2": argon2_times(args.runs),
               "access_check": check_times(factory, token, args.requests),
               "page": page_times(url, args.requests)}
    print(json.dumps(results, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "access.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

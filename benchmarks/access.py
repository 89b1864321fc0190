"""Benchmark of the access layer. Run: ``python -m benchmarks.access``.

Measures, on this machine:

- sign-in cost: argon2id hashing and verification of a password (median of ``--runs``), with
  the parameters wholeplace uses (wholeplace.access.passwords);
- the access check's added latency per request: resolving a session cookie into an Actor (one
  keyed hash, the session row, the person and their roles, the acting organisation), working
  out what they may read in the hub (the agreements in force for their organisation: the
  benchmark person's is party to ``AGREEMENTS`` active ones and as many drafts) and asking
  the policy, p50 and p95 over ``--requests`` (target: p95 < 5 ms);
- the same end to end: GET /signed-out through the whole app in process, anonymous and signed
  in; the p95 difference is what the access layer adds to a page.

Each is timed twice: wall-clock, and the process's CPU time (``cpu_*``), which stays meaningful
on a machine whose cores are shared with other work (wall-clock then includes waiting); the
load average before and after is recorded. ``--profile`` runs the access check under cProfile
instead and prints where its time goes.

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
from datetime import date, timedelta
from pathlib import Path

from wholeplace.access import agreements, memberships, organisations, passwords, sessions, users
from wholeplace.access.policy import Org, allowed
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.hub.store import open_store
from wholeplace.web.access.middleware import resolve_request
from wholeplace.web.deps import StoreProvider

ROOT = Path(__file__).resolve().parents[1]
SECRET = "benchmark-secret-that-is-long-enough-0123456789"
PASSWORD = "correct horse battery staple"
#: Active agreements the benchmark person's organisation is party to (and as many drafts).
AGREEMENTS = 10


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


def setup(url: str, agreements_count: int = AGREEMENTS) -> tuple[object, str]:
    """A person acting for ``bench-org``, party (with ``bench-partner``) to ``agreements_count``
    active agreements, each sharing one indicator, and as many drafts that share nothing: the
    realistic case, where working out what a person may read involves the agreements."""
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as s, s.begin():
        org = organisations.add(s, "bench-org", "Benchmark organisation", "voluntary")
        partner = organisations.add(s, "bench-partner", "Benchmark partner", "voluntary")
        user = users.add(s, "bench@example.org", "Bench", PASSWORD)
        memberships.grant(s, user, org, "data_protection_officer")
        other = users.add(s, "partner@example.org", "Partner", PASSWORD)
        memberships.grant(s, other, partner, "data_protection_officer")
        today = date.today()
        for n in range(agreements_count * 2):
            made = agreements.add(s, agreements.Terms(
                title=f"Benchmark agreement {n}", purpose="Timing only",
                parties=("bench-org", "bench-partner"), items=(f"indicator:bench.{n}",),
                article6_basis="public_task", start_date=today - timedelta(days=1),
                end_date=today + timedelta(days=30)), draft=n % 2 == 1)
            if n % 2 == 0:
                agreements.approve(s, made, "bench-org", user)
                agreements.approve(s, made, "bench-partner", other)
        token, _ = sessions.create(s, SECRET, timedelta(hours=1), user.id, org.id)
    return factory, token


def check_times(factory: object, hub: Path, token: str, requests: int) -> dict[str, float]:
    """What the middleware does for a signed-in request, without the app around it: the
    cookie resolved into an actor, the viewer worked out from the agreements in force, and
    one policy question."""
    provider = StoreProvider(hub)
    times, cpu = [], []
    for _ in range(requests):
        t, c = time.perf_counter(), time.process_time()
        _, actor, viewer = resolve_request(factory, SECRET, token, provider)  # type: ignore[arg-type]
        assert viewer is not None
        assert allowed(actor, "audit.view", Org("bench-org"))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {"p50_ms": quantile(times, 0.5) * 1000, "p95_ms": quantile(times, 0.95) * 1000,
            "cpu_p95_ms": quantile(cpu, 0.95) * 1000}


def new_hub() -> Path:
    """An empty hub (its tables and views, no data), so a signed-in request asks it which
    private datasets the agreements open, as it would in service."""
    hub = Path(tempfile.mkdtemp()) / "hub.duckdb"
    open_store(hub).close()
    return hub


def page_times(url: str, hub: Path, requests: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from tests.access_support import sign_in
    from wholeplace.config import Settings
    from wholeplace.web.app import create_app

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


def profile(factory: object, hub: Path, token: str, requests: int) -> None:
    import cProfile
    import pstats

    check_times(factory, hub, token, 20)  # warm
    profiler = cProfile.Profile()
    profiler.enable()
    check_times(factory, hub, token, requests)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--profile", action="store_true",
                        help="profile the access check (cProfile) and print where time goes")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
    factory, token = setup(url)
    hub = new_hub()
    if args.profile:
        profile(factory, hub, token, args.requests)
        return
    load = Path("/proc/loadavg")
    results = {"database": url.split(":", 1)[0],
               "load_average_before": load.read_text().split()[:3] if load.exists() else None,
               "argon2": argon2_times(args.runs),
               "access_check": check_times(factory, hub, token, args.requests),
               "page": page_times(url, hub, args.requests)}
    results["load_average_after"] = load.read_text().split()[:3] if load.exists() else None
    print(json.dumps(results, indent=2))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "access.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Load and durability of consultation responses: an asyncio/httpx client on loopback against
the real app under uvicorn (its own process), on SQLite (default) or PostgreSQL (--postgres).

    .venv/bin/python -m benchmarks.consult_load --seconds 10            # short check
    .venv/bin/python -m benchmarks.consult_load --seconds 60 --postgres # the full run

Phases:
1. sustained: ``--concurrency`` clients, each with its own session, post balanced responses
   (POST /consult/{slug}.json) back to back for ``--seconds``; throughput and latency
   percentiles of the acknowledged (201) submissions. Target >= 300/s with p99 < 250 ms.
2. burst: ``--burst-clients`` (1,000) clients at once for ``--burst-seconds``: every answer must
   be 201, or 429/503 with Retry-After; never a 500.
3. durability: the server is killed with SIGKILL in the middle of a run and restarted; every
   acknowledged reference must be in the database. After each phase, the count stored must
   equal the count acknowledged.
The rate limit is raised for phases 1 and 3 (every client is 127.0.0.1); the burst runs with
the in-flight gate at its default. Results go to benchmarks/results/consult_load.json.

The client shares the machine's cores with the server, so it is kept lean: after the page is
fetched once per visitor (httpx, for the cookies and CSRF token), submissions go over
keep-alive HTTP/1.1 connections written and read with asyncio streams. The CPU time of the
server's processes (from /proc) and of the client are reported per acknowledged submission,
with the load average, since wall-clock figures on a busy machine say little on their own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import ROOT, free_port

SLUG = "load-test"
EXAMPLE = ROOT / "examples" / "consult" / "peterborough-demo.yaml"
ANSWER = {"response": {"line_changes": {"education": "-5836000"}}, "age_band": "35-44"}


def prepare(url: str) -> None:
    """Migrate, add Peterborough and a published consultation taking many per browser."""
    from wholeplace.access.models import Organisation
    from wholeplace.appdb import make_engine, session_factory, upgrade
    from wholeplace.consult import load_definition
    from wholeplace.consult import store as cs

    engine = make_engine(url)
    upgrade(engine)
    c = load_definition(EXAMPLE).model_copy(update={
        "opens": date.today() - timedelta(days=1), "closes": date.today() + timedelta(days=30)})
    with session_factory(engine)() as s:
        s.add(Organisation(code="E06000031", name="Peterborough", org_type="council"))
        s.flush()
        row = cs.create(s, c, "E06000031", slug=SLUG)
        row.allow_multiple = True
        cs.publish(s, row)
        s.commit()
    engine.dispose()


def stored_references(url: str) -> set[str]:
    from sqlalchemy import select

    from wholeplace.appdb import make_engine, session_factory
    from wholeplace.consult.tables import ResponseRow

    engine = make_engine(url)
    with session_factory(engine)() as s:
        found = set(s.scalars(select(ResponseRow.reference)).all())
    engine.dispose()
    return found


@contextlib.contextmanager
def server(url: str, tmp: Path, env_extra: dict[str, str]) -> Iterator[tuple[str, Any]]:
    port = free_port()
    env = {**os.environ, "WHOLEPLACE_DATABASE_URL": url, "WHOLEPLACE_DB": str(tmp / "hub.duckdb"),
           "WHOLEPLACE_ENV": "development", "WHOLEPLACE_COOKIE_SECURE": "0", **env_extra}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "wholeplace.web.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--no-access-log"],
        env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # a busy shared machine starts slowly
    while True:
        try:
            if httpx.get(f"{base}/consult/{SLUG}.json", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the server did not start on {base}")
        time.sleep(0.2)
    try:
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    references: set[str] = field(default_factory=set)
    missing_retry_after: int = 0
    transport_errors: int = 0


async def session_of(client: httpx.AsyncClient, base: str) -> dict[str, str]:
    """A visitor: the page once, for its session cookie, browser cookie and CSRF token."""
    import re

    page = await client.get(f"{base}/consult/{SLUG}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError(f"no CSRF token on the page ({page.status_code})")
    cookie = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
    return {"x-csrf-token": token.group(1), "cookie": cookie}


class Connection:
    """One keep-alive HTTP/1.1 connection posting the same JSON body (a lean client: the
    benchmark runs on the same cores as the server)."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        host_port = base.removeprefix("http://")
        self.host, port = host_port.split(":")
        self.port = int(port)
        body = json.dumps(ANSWER).encode()
        head = (f"POST /consult/{SLUG}.json HTTP/1.1\r\nHost: {host_port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                f"X-CSRF-Token: {headers['x-csrf-token']}\r\nCookie: {headers['cookie']}"
                "\r\n\r\n")
        self.request = head.encode() + body
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def worker(base: str, headers: dict[str, str], until: float, tally: Tally) -> None:
    connection = Connection(base, headers)
    try:
        while time.monotonic() < until:
            start = time.perf_counter()
            try:
                status, answer_headers, body = await asyncio.wait_for(connection.post(), 30)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                    ValueError):
                tally.transport_errors += 1
                connection.close()
                await asyncio.sleep(0.05)
                continue
            tally.statuses[status] += 1
            if status == 201:
                tally.latencies.append(time.perf_counter() - start)
                tally.references.add(json.loads(body)["reference"])
            elif status in (429, 503):
                if "retry-after" not in answer_headers:
                    tally.missing_retry_after += 1
                await asyncio.sleep(float(answer_headers.get("retry-after", "1")))
    finally:
        connection.close()


async def run_clients(base: str, clients: int, seconds: float,
                      kill: Any = None) -> tuple[Tally, float]:
    sem = asyncio.Semaphore(8)

    async def one() -> dict[str, str]:
        async with sem, httpx.AsyncClient(timeout=60) as setup:
            return await session_of(setup, base)

    # Up to 8 visitors' sessions, shared round-robin by the clients (the consultation
    # takes many responses per browser), so that setting up 1,000 clients stays short.
    distinct = await asyncio.gather(*(one() for _ in range(min(clients, 8))))
    sessions = [distinct[i % len(distinct)] for i in range(clients)]
    log(f"{len(distinct)} sessions ready for {clients} clients")
    tally = Tally()
    started = time.monotonic()
    until = started + seconds
    tasks = [asyncio.create_task(worker(base, h, until, tally)) for h in sessions]
    if kill is not None:
        await asyncio.sleep(seconds / 2)
        kill()
    await asyncio.gather(*tasks)
    return tally, time.monotonic() - started


def measured(base: str, proc: Any, clients: int,
             seconds: float) -> tuple[dict[str, Any], Tally]:
    """A run of clients with the server's and the client's CPU time per submission."""
    server_before, client_before = cpu_seconds(proc.pid), time.process_time()
    tally, elapsed = asyncio.run(run_clients(base, clients, seconds))
    server_cpu = cpu_seconds(proc.pid) - server_before
    client_cpu = time.process_time() - client_before
    out = summary(tally, elapsed)
    done = max(1, len(tally.references))
    out.update(server_cpu_ms_per_submission=round(server_cpu * 1000 / done, 2),
               client_cpu_ms_per_submission=round(client_cpu * 1000 / done, 2),
               server_cpu_share_of_a_core=round(server_cpu / elapsed, 2),
               load_average_after=load_average())
    return out, tally


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(tally: Tally, elapsed: float) -> dict[str, Any]:
    ms = [x * 1000 for x in tally.latencies]
    return {"seconds": round(elapsed, 1), "acknowledged": len(tally.references),
            "per_second": round(len(tally.references) / elapsed, 1),
            "p50_ms": round(percentile(ms, 0.5) or 0, 1),
            "p99_ms": round(percentile(ms, 0.99) or 0, 1),
            "statuses": dict(sorted(tally.statuses.items())),
            "missing_retry_after": tally.missing_retry_after,
            "transport_errors": tally.transport_errors}


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def phases(url: str, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    fast = {"WHOLEPLACE_CONSULT_RATE": "1000000", "WHOLEPLACE_CONSULT_BURST": "1000000"}
    if args.no_session_memory:  # every request reads its session, as a resident's late submit
        fast["WHOLEPLACE_ANONYMOUS_SESSION_MEMORY"] = "0"
    out: dict[str, Any] = {}
    acknowledged: set[str] = set()
    log("sustained: starting the server")
    out["load_average_before"] = load_average()
    with server(url, tmp, fast) as (base, proc):
        out["sustained"], tally = measured(base, proc, args.concurrency, args.seconds)
    log(f"sustained: {out['sustained']}")
    acknowledged |= tally.references
    with server(url, tmp, fast) as (base, proc):
        out["burst"], tally = measured(base, proc, args.burst_clients, args.burst_seconds)
    out["burst"]["only_201_429_503"] = set(tally.statuses) <= {201, 429, 503}
    log(f"burst: {out['burst']}")
    acknowledged |= tally.references
    with server(url, tmp, fast) as (base, proc):
        tally, elapsed = asyncio.run(run_clients(
            base, args.concurrency, args.kill_seconds,
            kill=lambda: os.kill(proc.pid, signal.SIGKILL)))
    out["sigkill"] = summary(tally, elapsed)
    log(f"sigkill: {out['sigkill']}")
    acknowledged |= tally.references
    with server(url, tmp, fast):  # restarted on the same database
        stored = stored_references(url)
    out["durability"] = {"acknowledged": len(acknowledged), "stored": len(stored),
                         "acknowledged_all_stored": acknowledged <= stored,
                         "stored_equals_acknowledged": stored == acknowledged}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--burst-clients", type=int, default=1000)
    parser.add_argument("--burst-seconds", type=float, default=10)
    parser.add_argument("--kill-seconds", type=float, default=6)
    parser.add_argument("--postgres", action="store_true",
                        help="Run against a throwaway PostgreSQL server (tests/pg.py).")
    parser.add_argument("--no-session-memory", action="store_true",
                        help="Read every session from the database (the server's memory of "
                             "anonymous sessions off), as for a resident who submits minutes "
                             "after opening the page.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if args.postgres:
            sys.path.insert(0, str(ROOT))
            from tests import pg

            with pg.cluster() as url:
                prepare(url)
                result = phases(url, tmp, args)
            result["database"] = "postgresql (tests/pg.py: fsync off, so not a power-loss test)"
        else:
            url = f"sqlite:///{tmp / 'app.sqlite'}"
            prepare(url)
            result = phases(url, tmp, args)
            result["database"] = "sqlite (WAL, synchronous=FULL)"
    result["settings"] = vars(args)
    print(json.dumps(result, indent=2))
    folder = ROOT / "benchmarks" / "results"
    folder.mkdir(exist_ok=True)
    (folder / f"consult_load{'_pg' if args.postgres else ''}"
                f"{'_no_memory' if args.no_session_memory else ''}.json").write_text(
        json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

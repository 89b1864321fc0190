"""What who-sees-which-data costs a page. Run with ``python -m benchmarks.visibility``.

Measures, on this machine:

* warm council-page latency (p50, p95) through a real uvicorn server for the public viewer,
  with the code of a git ref from before visibility (``--before``, default ``main``: its
  ``src/`` is exported with ``git archive`` into a temporary folder and put first on
  ``PYTHONPATH``; each code loads its own hub, so each reads the views it defines) and with the
  working tree's code; rounds alternate to share the machine's noise (target: the visibility
  check adds < 5 ms at p95: the median over rounds of each round's p95 difference);
* the same pages in-process in a child process, each request's CPU time (all threads), which a
  busy shared machine disturbs far less than wall time;
* in-process, the time to scope a request's cursor to a council that has a private upload
  (temporary views) and read its latest values, against the same read for the public.

Results are printed and written to ``benchmarks/results/visibility.json`` (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import free_port, sources

ROOT = Path(__file__).resolve().parents[1]
LOAD_SNIPPET = """
import sys
from pathlib import Path
from wholeplace.hub.load import load_registered
from wholeplace.hub.store import open_store
with open_store(sys.argv[1]) as store:
    load_registered(store, Path(sys.argv[2]))
"""
#: In a child process: council pages through the app in-process, each request's CPU time (all
#: threads, DuckDB's included), which a busy shared machine disturbs far less than wall time.
CPU_SNIPPET = """
import json, sys, time
from fastapi.testclient import TestClient
from wholeplace.config import Settings
from wholeplace.web.app import create_app
with TestClient(create_app(Settings(db=sys.argv[1]))) as client:
    codes = [c["gss_code"] for c in client.get("/councils.json").json()["councils"]]
    for code in codes[:20]:
        client.get(f"/council/{code}").raise_for_status()
    out = []
    for i in range(int(sys.argv[2])):
        t = time.process_time()
        client.get(f"/council/{codes[i % len(codes)]}").raise_for_status()
        out.append((time.process_time() - t) * 1000)
print(json.dumps(out))
"""
CAMBRIDGE = "E07000008"
#: An illustrative upload (not real data) giving the scoped reader something private to see.
METADATA = """\
- id: fixture.benchmark_rate
  title: "Benchmark fixture (illustrative values)"
  unit: percent
  theme: environment
"""


def export_src(ref: str, into: Path) -> Path:
    """The ``src/`` of ``ref``, exported (read-only use of the repository)."""
    archive = subprocess.run(["git", "archive", ref, "src"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def load_hub(db: Path, pythonpath: str | None) -> None:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    subprocess.run([sys.executable, "-c", LOAD_SNIPPET, str(db), str(sources())], env=env,
                   check=True, capture_output=True)


def page_timings(db: Path, pythonpath: str | None, requests: int) -> list[float]:
    import httpx

    port = free_port()
    env = dict(os.environ, WHOLEPLACE_DB=str(db))
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "wholeplace.web.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=ROOT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(200):
                try:
                    client.get("/")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            codes = [c["gss_code"] for c in client.get("/councils.json").json()["councils"]]
            for code in codes[:20]:
                client.get(f"/council/{code}").raise_for_status()
            timings = []
            for i in range(requests):
                t = time.perf_counter()
                client.get(f"/council/{codes[i % len(codes)]}").raise_for_status()
                timings.append((time.perf_counter() - t) * 1000)
    finally:
        server.terminate()
        server.wait(10)
    return timings


def cpu_timings(db: Path, pythonpath: str | None, requests: int) -> list[float]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run([sys.executable, "-c", CPU_SNIPPET, str(db), str(requests)], env=env,
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [float(x) for x in json.loads(out.strip().splitlines()[-1])]


def summary(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {"requests": len(ordered), "p50_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[int(0.95 * len(ordered)) - 1], 2)}


def scoped_read(db: Path, folder: Path, repeats: int) -> dict:
    """Per request: a cursor (scoped for the council, public otherwise) and latest_values."""
    import shutil

    from wholeplace.hub import queries as hub
    from wholeplace.hub.store import open_store
    from wholeplace.hub.uploads import load_file
    from wholeplace.hub.visibility import Viewer

    copy = folder / "scoped.duckdb"
    shutil.copy(db, copy)
    meta, data = folder / "bench.yaml", folder / "bench.csv"
    meta.write_text(METADATA, encoding="utf-8")
    data.write_text(f"area_code,period,indicator_id,value\n{CAMBRIDGE},2023-24,"
                    "fixture.benchmark_rate,50\n", encoding="utf-8")
    with open_store(copy) as store:
        load_file(store, data, metadata=meta, owner_org=CAMBRIDGE)
    out = {}
    with open_store(copy, read_only=True) as base:
        for name, viewer in (("public", Viewer.public()),
                             ("council_with_private_data", Viewer.for_org(CAMBRIDGE))):
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                with base.scoped(viewer) as store:
                    hub.latest_values(store, CAMBRIDGE)
                times.append((time.perf_counter() - t) * 1000)
            out[name] = summary(times)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="git ref of the code before")
    parser.add_argument("--requests", type=int, default=300, help="page requests per round")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per code")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        before_src = str(export_src(args.before, folder))
        hubs = {"before": (folder / "before.duckdb", before_src),
                "after": (folder / "after.duckdb", None)}
        for db, path in hubs.values():
            load_hub(db, path)
        timings: dict[str, list[float]] = {"before": [], "after": []}
        cpu: dict[str, list[float]] = {"before": [], "after": []}
        rounds: list[dict] = []
        for _ in range(args.rounds):
            row = {}
            for name, (db, path) in hubs.items():
                got = page_timings(db, path, args.requests)
                timings[name] += got
                cpu[name] += cpu_timings(db, path, args.requests)
                row[name] = summary(got)["p95_ms"]
            rounds.append(row)
        pages = {name: summary(t) for name, t in timings.items()}
        cpu_pages = {name: summary(t) for name, t in cpu.items()}
        scoped = scoped_read(hubs["after"][0], folder, 200)
    added = [r["after"] - r["before"] for r in rounds]
    result = {"before_ref": args.before, "council_page_public": pages,
              "p95_ms_by_round": rounds,
              "council_page_public_cpu": cpu_pages,
              "added_cpu_p95_ms": round(cpu_pages["after"]["p95_ms"]
                                        - cpu_pages["before"]["p95_ms"], 2),
              "added_p95_ms": round(statistics.median(added), 2),
              "target_added_p95_ms": 5, "scoped_cursor_and_latest_values": scoped,
              "cpus": os.cpu_count()}
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "visibility.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""Benchmarks for the data hub foundation. Run with ``make bench`` (or ``python -m benchmarks.run``).

Measures, on this machine:

* the time to load the whole published bundle into a new DuckDB file (median of N runs;
  target < 15 s on 2 cores), and the peak resident memory of that load (a child process's
  maximum RSS);
* warm council-page latency, p50 and p95, through a real uvicorn server over loopback
  (target p95 < 150 ms).

Results are printed and written to ``benchmarks/results/foundation.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import free_port, sources

ROOT = Path(__file__).resolve().parents[1]
LOAD_SNIPPET = """
import sys, time
from pathlib import Path
from wholeplace.hub.load import load_registered
from wholeplace.hub.store import open_store
t = time.perf_counter()
with open_store(sys.argv[1]) as store:
    load_registered(store, Path(sys.argv[2]))
print(time.perf_counter() - t)
"""


def bench_load(runs: int, workdir: Path) -> dict:
    """Each run loads everything into a new file in a child process; time and peak RSS."""
    times, peaks = [], []
    for i in range(runs):
        db = workdir / f"load{i}.duckdb"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out = subprocess.run([sys.executable, "-c", LOAD_SNIPPET, str(db), str(sources())],
                             check=True, capture_output=True, text=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
        # ru_maxrss of children is the max over all children so far (KiB on Linux).
        peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
    return {"runs": runs, "seconds": times, "median_seconds": statistics.median(times),
            "peak_rss_mib": round(max(peaks) / 1024, 1), "target_seconds": 15,
            "db": str(workdir / "load0.duckdb")}


def bench_pages(db: str, requests: int) -> dict:
    import httpx

    port = free_port()
    env = dict(os.environ, WHOLEPLACE_DB=db)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "wholeplace.web.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(100):
                try:
                    client.get("/")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            codes = [c["gss_code"] for c in client.get("/councils.json").json()["councils"]]
            for code in codes[:20]:  # warm up
                client.get(f"/council/{code}").raise_for_status()
            timings = []
            for i in range(requests):
                code = codes[i % len(codes)]
                t = time.perf_counter()
                client.get(f"/council/{code}").raise_for_status()
                timings.append((time.perf_counter() - t) * 1000)
    finally:
        server.terminate()
        server.wait(10)
    timings.sort()
    return {"requests": requests, "councils": len(codes),
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(0.95 * len(timings)) - 1], 1),
            "max_ms": round(timings[-1], 1), "target_p95_ms": 150}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="load repetitions (default 3)")
    parser.add_argument("--requests", type=int, default=400, help="council page requests")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        load = bench_load(args.runs, Path(tmp))
        pages = bench_pages(load["db"], args.requests)
    result = {"load": load, "council_page": pages, "cpus": os.cpu_count()}
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "foundation.json").write_text(json.dumps(result, indent=2))
    print(f"load whole bundle: median {load['median_seconds']:.2f} s over {load['runs']} runs "
          f"(target < 15 s); peak RSS {load['peak_rss_mib']} MiB")
    print(f"council page (warm, {pages['requests']} requests over {pages['councils']} "
          f"councils): p50 {pages['p50_ms']} ms, p95 {pages['p95_ms']} ms "
          f"(target p95 < 150 ms)")


if __name__ == "__main__":
    main()

"""Benchmarks for the data hub foundation. Run with ``make bench`` (or ``python -m benchmarks.run``).

Measures, on this machine:

* the time to load the whole published bundle (both bundles: every registered source) into a
  new DuckDB file (median of N runs; target < 20 s on 2 cores), and the peak resident memory of
  that load (target < 1 GiB): the loading process and its read-ahead worker together, their
  RSS summed every 50 ms (:func:`sample_tree_rss`), besides each one's own maximum; with the
  observations loaded per source (a table);
* warm council-page latency, p50 and p95, through a real uvicorn server over loopback on that
  hub (target p95 < 150 ms).

``--db PATH`` skips the load and times the council pages on a hub already loaded.

Results are printed and written to ``benchmarks/results/foundation.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import free_port, server_env, sources

ROOT = Path(__file__).resolve().parents[1]
LOAD_SNIPPET = """
import json, resource, sys, time
from pathlib import Path
from wholeplace.hub.load import load_registered
from wholeplace.hub.store import open_store
load = open("/proc/loadavg").read().split()[0]
t = time.perf_counter()
with open_store(sys.argv[1]) as store:
    load_registered(store, Path(sys.argv[2]))
wall = time.perf_counter() - t
me, worker = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"wall": wall, "cpu": me.ru_utime + me.ru_stime,
                  "worker_cpu": worker.ru_utime + worker.ru_stime,
                  "rss_mib": me.ru_maxrss / 1024, "worker_rss_mib": worker.ru_maxrss / 1024,
                  "loadavg": [float(load), float(open("/proc/loadavg").read().split()[0])]}))
"""


def _rss_kib(pid: int) -> int:
    """A process's resident set size (0 if it has ended)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    """The processes started by ``pid`` and by them, and so on (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def sample_tree_rss(proc: subprocess.Popen, every: float = 0.05) -> dict:
    """Until ``proc`` ends, sum the RSS of it and its descendants every ``every`` seconds: the
    largest sum (MiB), and the process's and the others' RSS at that moment.

    The sum counts pages two processes share (libraries) twice, so it is an upper bound of
    the memory the load takes; the 50 ms between samples can miss a shorter spike."""
    peak = {"combined_peak_mib": 0.0, "main_mib": 0.0, "others_mib": 0.0, "samples": 0}
    while proc.poll() is None:
        main = _rss_kib(proc.pid) / 1024
        others = sum(_rss_kib(k) for k in _descendants(proc.pid)) / 1024
        peak["samples"] += 1
        if main + others > peak["combined_peak_mib"]:
            peak.update(combined_peak_mib=round(main + others, 1), main_mib=round(main, 1),
                        others_mib=round(others, 1))
        time.sleep(every)
    return peak


def _sample_into(proc: subprocess.Popen, out: dict) -> None:
    out.update(sample_tree_rss(proc))


def bench_load(runs: int, workdir: Path) -> dict:
    """Each run loads everything into a new file in a child process; time and peak RSS."""
    times, peaks, each = [], [], []
    for i in range(runs):
        db = workdir / f"load{i}.duckdb"
        proc = subprocess.Popen([sys.executable, "-c", LOAD_SNIPPET, str(db), str(sources())],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sampled: dict = {}
        sampler = threading.Thread(target=_sample_into, args=(proc, sampled))
        sampler.start()
        stdout, stderr = proc.communicate()
        sampler.join()
        if proc.returncode:
            raise SystemExit(f"the load failed (exit {proc.returncode}):\n{stderr}")
        # wall and CPU time of the loading process and of its read-ahead worker, each one's
        # maximum RSS, their combined peak (sampled), and the load average before and after
        # (the machine is shared)
        each.append({**json.loads(stdout.strip().splitlines()[-1]), **sampled})
        times.append(each[-1]["wall"])
        peaks.append(each[-1]["combined_peak_mib"])
    return {"runs": runs, "seconds": times, "median_seconds": statistics.median(times),
            "each_run": each,
            "peak_rss_mib": max(peaks), "target_seconds": 20,
            "target_peak_rss_mib": 1024, "db": str(workdir / "load0.duckdb"),
            "observations_by_source": observations_by_source(workdir / "load0.duckdb")}


def observations_by_source(db: Path) -> list[dict]:
    """Observations stored per source, largest first: every release kept (a superseded one
    stays queryable "as published on"), derived per-head and % of NRE values under the dataset
    they are derived from; ``datasets``: how many releases."""
    from wholeplace.hub.store import open_store

    with open_store(db, read_only=True) as store:
        return store.rows(
            "SELECT d.source_id, count(DISTINCT d.dataset_id) AS datasets, count(*) AS "
            "observations, count(o.value) AS with_value "
            "FROM observations o JOIN datasets d USING (dataset_id) "
            "GROUP BY d.source_id ORDER BY observations DESC, d.source_id")


def bench_pages(db: str, requests: int) -> dict:

    with server_env(Path(db)) as env:
        return _pages(env, requests)


def _pages(env: dict[str, str], requests: int) -> dict:
    import httpx

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "wholeplace.web.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            deadline = time.monotonic() + 120  # a busy shared machine starts it slowly
            while True:
                try:
                    client.get("/")
                    break
                except httpx.TransportError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"the server did not start on {base}") from None
                    time.sleep(0.2)
            codes = [c["gss_code"] for c in client.get("/councils.json").json()["councils"]]
            for code in codes[:20]:  # warm up
                client.get(f"/council/{code}").raise_for_status()
            timings = []
            load = [_loadavg()]
            cpu = _cpu_seconds(server.pid)
            for i in range(requests):
                code = codes[i % len(codes)]
                t = time.perf_counter()
                client.get(f"/council/{code}").raise_for_status()
                timings.append((time.perf_counter() - t) * 1000)
            cpu = _cpu_seconds(server.pid) - cpu
            load.append(_loadavg())
    finally:
        server.terminate()
        server.wait(10)
    timings.sort()
    return {"requests": requests, "councils": len(codes),
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(0.95 * len(timings)) - 1], 1),
            "max_ms": round(timings[-1], 1), "target_p95_ms": 150,
            # the server's CPU (user + system, DuckDB's threads included) per page
            "server_cpu_ms_per_page": round(1000 * cpu / requests, 1), "loadavg": load}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="load repetitions (default 3)")
    parser.add_argument("--requests", type=int, default=400, help="council page requests")
    parser.add_argument("--db", type=Path, help="time the pages on this loaded hub; no load")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        load = bench_load(args.runs, Path(tmp)) if args.db is None else {
            "skipped": f"--db {args.db}", "observations_by_source": observations_by_source(
                args.db)}
        if "median_seconds" in load:  # the load's figures first: the pages may fail
            print(f"load: {json.dumps({k: v for k, v in load.items() if k != 'db'})}",
                  flush=True)
        pages = bench_pages(str(args.db or load["db"]), args.requests)
    result = {"load": load, "council_page": pages, "cpus": os.cpu_count()}
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "foundation.json").write_text(json.dumps(result, indent=2))
    if "median_seconds" in load:
        print(f"load whole bundle: median {load['median_seconds']:.2f} s over {load['runs']} "
              f"runs (target < 20 s); peak RSS of the load's processes together "
              f"{load['peak_rss_mib']} MiB (target < 1024 MiB)")
        for r in load["each_run"]:
            print(f"  wall {r['wall']:.1f} s, CPU {r['cpu']:.1f} s + read-ahead worker "
                  f"{r['worker_cpu']:.1f} s; peak of both together {r['combined_peak_mib']:.0f}"
                  f" MiB ({r['main_mib']:.0f} + {r['others_mib']:.0f}); each one's maximum "
                  f"{r['rss_mib']:.0f} MiB and worker {r['worker_rss_mib']:.0f} MiB; load "
                  f"average {r['loadavg'][0]} -> {r['loadavg'][1]}")
    print("\n| source | releases | observations | with a value |\n| --- | --- | --- | --- |")
    for r in load["observations_by_source"]:
        print(f"| {r['source_id']} | {r['datasets']} | {r['observations']:,} | "
              f"{r['with_value']:,} |")
    print(f"council page (warm, {pages['requests']} requests over {pages['councils']} "
          f"councils): p50 {pages['p50_ms']} ms, p95 {pages['p95_ms']} ms "
          f"(target p95 < 150 ms); server CPU {pages['server_cpu_ms_per_page']} ms a page; "
          f"load average {pages['loadavg'][0]} -> {pages['loadavg'][1]}")


if __name__ == "__main__":
    main()

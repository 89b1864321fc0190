"""Benchmark of the place profile. Run: ``python -m benchmarks.profile``.

Measures, on this machine:

* the profile page through a real uvicorn server over loopback: cold (the first request for a
  (council, group), which builds the profile) and warm (repeat requests, served from the app's
  in-process cache of built profiles and rendered with fresh charts), p50 and p95, over
  ``--councils`` councils x the groups ``ours``, ``cipfa`` and ``region`` (target warm p95 <
  300 ms);
* PDF generation in process: build_profile + PDF and the PDF alone, median over the same
  councils (target < 3 s per PDF), and the warm PDF download over HTTP.

It builds its own hub in a temporary folder from the published sources (``WHOLEPLACE_SOURCES`` or
``../shared/data``), unless ``--db`` names a loaded hub. Results are printed and written to
``benchmarks/results/profile.json`` (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import free_port, loaded_hub, server_env
from wholeplace.hub.store import open_store
from wholeplace.insight.profile.build import build_profile
from wholeplace.report.pdf import profile_pdf

ROOT = Path(__file__).resolve().parents[1]
GROUPS = ("ours", "cipfa", "region")


def percentiles(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[max(int(0.95 * len(ms)) - 1, 0)], 1), "max_ms": round(ms[-1], 1)}


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "wholeplace.web.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):  # up to 2 minutes: a busy shared machine starts it slowly
        try:
            httpx.get(base + "/", timeout=2)
            return server, base
        except httpx.TransportError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not start on {base}")


def timed_get(client, url: str) -> float:
    t = time.perf_counter()
    client.get(url).raise_for_status()
    return (time.perf_counter() - t) * 1000


def bench_pages(db: Path, codes: list[str], repeats: int) -> dict:

    with server_env(db) as env:
        return _pages(env, codes, repeats)


def _pages(env: dict[str, str], codes: list[str], repeats: int) -> dict:
    import httpx

    server, base = start_server(env)
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            urls = [f"/council/{c}/profile?group={g}" for c in codes for g in GROUPS]
            cold = [timed_get(client, u) for u in urls]
            warm = [timed_get(client, u) for _ in range(repeats) for u in urls]
            pdf = [timed_get(client, f"/council/{c}/profile.pdf?group=ours") for c in codes]
    finally:
        server.terminate()
        server.wait(10)
    return {"cold": percentiles(cold), "warm": percentiles(warm),
            "pdf_download_warm": percentiles(pdf), "target_warm_p95_ms": 300}


def bench_pdf(db: Path, codes: list[str]) -> dict:
    total, pdf_only = [], []
    with open_store(db, read_only=True) as store:
        for code in codes:
            t = time.perf_counter()
            profile = build_profile(store, code)
            mid = time.perf_counter()
            profile_pdf(profile)
            end = time.perf_counter()
            total.append(end - t)
            pdf_only.append(end - mid)
    return {"councils": len(codes), "median_build_and_pdf_s": round(statistics.median(total), 3),
            "max_build_and_pdf_s": round(max(total), 3),
            "median_pdf_only_s": round(statistics.median(pdf_only), 3), "target_s": 3}


def councils(db: Path, n: int) -> list[str]:
    """``n`` current councils spread over every kind (every k-th in code order)."""
    with open_store(db, read_only=True) as store:
        codes = [r["gss_code"] for r in store.rows(
            "SELECT gss_code FROM places WHERE current AND tier IN ('upper', 'lower', 'single') "
            "ORDER BY gss_code")]
    step = max(len(codes) // n, 1)
    return codes[::step][:n]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a loaded hub (default: build one)")
    parser.add_argument("--councils", type=int, default=20, help="councils (default 20)")
    parser.add_argument("--repeats", type=int, default=5, help="warm passes (default 5)")
    args = parser.parse_args(argv)
    with loaded_hub(args.db) as db:
        codes = councils(db, args.councils)
        result = {"pages": bench_pages(db, codes, args.repeats), "pdf": bench_pdf(db, codes),
                  "councils": codes, "groups": list(GROUPS), "cpus": os.cpu_count()}
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "profile.json").write_text(json.dumps(result, indent=2))
    p, f = result["pages"], result["pdf"]
    print(f"profile page, cold ({p['cold']['n']} requests): p50 {p['cold']['p50_ms']} ms, "
          f"p95 {p['cold']['p95_ms']} ms")
    print(f"profile page, warm ({p['warm']['n']} requests): p50 {p['warm']['p50_ms']} ms, "
          f"p95 {p['warm']['p95_ms']} ms (target p95 < 300 ms)")
    print(f"PDF download, warm: p50 {p['pdf_download_warm']['p50_ms']} ms, p95 "
          f"{p['pdf_download_warm']['p95_ms']} ms")
    print(f"build_profile + PDF: median {f['median_build_and_pdf_s']} s, max "
          f"{f['max_build_and_pdf_s']} s; PDF alone median {f['median_pdf_only_s']} s "
          "(target < 3 s)")


if __name__ == "__main__":
    main()

"""A throwaway PostgreSQL cluster for the application-database tests.

Debian's ``postgresql`` package puts its programs in ``/usr/lib/postgresql/<version>/bin``. The
cluster lives in a fresh directory under /tmp owned by an unprivileged user (``postgres``) when
the tests run as root, as CI does, because PostgreSQL refuses to run as root. It listens on a
free local port and trusts local connections; it is stopped and removed at the end.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INSTALL_HINT = ("PostgreSQL is not installed, so the application-database tests cannot run "
                "against it. Install Debian's package: apt-get update && apt-get install -y "
                "postgresql (make test-deps does this).")


def bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user() -> tuple[list[str], str | None]:
    """The command prefix that runs PostgreSQL's programs as an unprivileged user."""
    if os.geteuid() != 0:
        return [], None
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise RuntimeError("Running as root and there is no 'postgres' user to run the test "
                           "cluster as; install Debian's postgresql package.") from exc
    return ["runuser", "-u", "postgres", "--"], "postgres"


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster; yield the URL of its ``postgres`` database as superuser ``wholeplace``."""
    binaries = bin_dir()
    if binaries is None:
        raise RuntimeError(INSTALL_HINT)
    prefix, user = _as_user()
    base = Path(tempfile.mkdtemp(prefix="wholeplace-pg-"))
    if user:
        shutil.chown(base, user=user)
    data, log = base / "data", base / "server.log"
    port = _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*prefix, *args], capture_output=True, text=True, check=False)
        if done.returncode:
            extra = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}{extra}")

    try:
        run(str(binaries / "initdb"), "-D", str(data), "-U", "wholeplace", "--auth=trust",
            "-E", "UTF8", "--no-sync", "--no-instructions")
        options = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
            "-w", "-t", "60", "start")
        try:
            yield f"postgresql+psycopg://wholeplace@127.0.0.1:{port}/postgres"
        finally:
            run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)

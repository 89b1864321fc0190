"""The read-ahead worker of :func:`wholeplace.hub.load.load_registered`: a child process that
reads registered files with their loaders while the parent writes earlier ones to the hub.

Loaders are pure (a file in, a :class:`~wholeplace.hub.batch.LoadBatch` out), so a file can be
read in another process. The two processes talk over the child's stdin and stdout: each message
is a pickle (protocol 5) whose large buffers travel out of band, so a batch's Arrow tables (the
observations go as their Arrow table alone, see :class:`~wholeplace.hub.batch.ObservationFrame`)
are written to the pipe straight from the reader's memory and read into the buffers the parent
hands to DuckDB, with no copy of each value as a Python object on either side. On the wire: an
8-byte little-endian length and the pickle, an 8-byte count of buffers, then each buffer as its
length and its bytes. A request is ``(key, loader, path, source info,
options)``; the answer is ``(key, ("ok", batch))`` or ``(key, ("error", text))``; the parent
then reads that file itself, so an error is raised there exactly as without the worker. The
pipe joins a parent to the child it started: nothing else writes to it. Anything a loader prints
goes to stderr, never into the answers.

:class:`ReadAhead` is the parent's side. A plain child process (``python -m``), not
``multiprocessing``, so that a script calling ``load_registered`` needs no ``__main__`` guard.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import subprocess
import sys
import threading
from typing import IO, Any


def _send(stream: IO[bytes], message: object) -> None:
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps(message, protocol=5, buffer_callback=buffers.append)
    stream.write(len(data).to_bytes(8, "little"))
    stream.write(data)
    stream.write(len(buffers).to_bytes(8, "little"))
    for buffer in buffers:
        raw = buffer.raw()
        stream.write(raw.nbytes.to_bytes(8, "little"))
        stream.write(raw)
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int) -> bytearray | None:
    """``size`` bytes in a new buffer, or None if the stream ends first."""
    out = bytearray(size)
    view, got = memoryview(out), 0
    while got < size:
        n = stream.readinto(view[got:])  # type: ignore[attr-defined]
        if not n:
            return None
        got += n
    return out


def _receive(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    header = _read_exactly(stream, 8)
    data = header and _read_exactly(stream, int.from_bytes(header, "little"))
    count = data is not None and _read_exactly(stream, 8)
    if not count or data is None:
        return None
    buffers = []
    for _ in range(int.from_bytes(count, "little")):
        size = _read_exactly(stream, 8)
        buffer = size and _read_exactly(stream, int.from_bytes(size, "little"))
        if buffer is None or size is None:
            return None
        buffers.append(buffer)
    return pickle.loads(data, buffers=buffers)  # our own parent or child, over a private pipe


def release_memory() -> None:
    """Give the memory freed since the last call back to the system.

    glibc keeps freed heap pages for reuse, so after a large file the process stays as large
    as at its peak; ``malloc_trim`` returns them (a no-op elsewhere). Arrow's own pool is
    asked to do the same."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to trim


def main() -> None:
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a loader's print() must not reach the answers, even one at import
    sys.stdout = sys.stderr
    from wholeplace.hub.loaders import get_reader

    requests = sys.stdin.buffer
    while (request := _receive(requests)) is not None:
        key, loader, path, info, options = request
        try:
            answer: tuple[str, object] = (
                "ok", get_reader(loader)(path, info, options).prepare())
        except Exception as exc:  # noqa: BLE001 - the parent reads the file again itself
            answer = ("error", f"{type(exc).__name__}: {exc}")
        _send(answers, (key, answer))
        del answer, request
        release_memory()


class ReadAhead:
    """The parent's side: submit reads, take their batches (None if the read failed or the
    worker is gone). Closing it ends the worker."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "wholeplace.hub.read_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.done: dict[Any, tuple[str, object]] = {}
        self.cond = threading.Condition()
        self.ended = False
        self.outstanding = 0
        self.thread = threading.Thread(target=self._collect, daemon=True)
        self.thread.start()

    def _collect(self) -> None:
        assert self.proc.stdout is not None
        try:
            while (message := _receive(self.proc.stdout)) is not None:
                key, answer = message
                with self.cond:
                    self.done[key] = answer
                    self.cond.notify_all()
        finally:
            with self.cond:
                self.ended = True
                self.cond.notify_all()

    def submit(self, key: Any, loader: str, path: os.PathLike, info: object,
               options: dict) -> bool:
        """Ask for a read; False if the worker cannot take it."""
        try:
            assert self.proc.stdin is not None
            _send(self.proc.stdin, (key, loader, path, info, options))
            self.outstanding += 1
            return True
        except (OSError, ValueError):
            return False

    def take(self, key: Any) -> object | None:
        """The batch read for ``key`` (waiting for it), or None if it could not be read."""
        with self.cond:
            while key not in self.done and not self.ended:
                self.cond.wait()
            status, value = self.done.pop(key, ("error", "the worker ended"))
        self.outstanding -= 1
        return value if status == "ok" else None

    def close(self) -> None:
        """End the worker: at once if it is still reading something nobody will take."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(0 if self.outstanding else 30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.thread.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


if __name__ == "__main__":
    main()

"""Pseudonymisation at rest: HMAC-SHA256 with one key per purpose, keys in files outside the
database. A key is never logged, printed or stored in the workspace; keys for other uses (the
encryption of the kept comparison columns) are derived from it with HKDF and never stored."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wholeplace.errors import ConfigError, InputError

_PURPOSE = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


def check_purpose(purpose: str) -> str:
    if not purpose or not _PURPOSE.match(purpose):
        raise InputError(f"{purpose!r} is not a purpose name: use lower-case letters, digits, "
                         "'-' or '_' (for example 'prevention'). Every look-up names its purpose.")
    return purpose


def key_path(key_dir: Path, purpose: str) -> Path:
    return key_dir / f"{check_purpose(purpose)}.key"


def create_key(key_dir: Path, purpose: str) -> Path:
    """Write a new random 256-bit key for ``purpose`` readable by its owner only."""
    path = key_path(key_dir, purpose)
    if path.exists():
        raise InputError(f"A key for purpose {purpose!r} already exists at {path}; replacing it "
                         "would orphan every pseudonym made with it. Keep it.")
    key_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")
    return path


@dataclass(frozen=True)
class Pseudonymiser:
    """Keyed hashing of identifiers for one purpose. ``repr`` never shows the key."""

    purpose: str
    _key: bytes = field(repr=False)

    def __call__(self, value: str) -> str:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    def many(self, values: Iterable[str]) -> list[str]:
        """The pseudonym of each value (the same as calling this for each; the keyed state is
        prepared once, which halves the cost on a million records)."""
        base = hmac.new(self._key, digestmod=hashlib.sha256)
        out = []
        for value in values:
            h = base.copy()
            h.update(value.encode("utf-8"))
            out.append(h.hexdigest())
        return out

    def derive(self, use: str, length: int = 32) -> bytes:
        """A key for ``use`` derived from the purpose's key (HKDF-SHA256, RFC 5869; the info
        names the use and the purpose, so keys for different uses or purposes differ). The
        purpose's key is uniformly random, so no salt is needed. Never store or log it."""
        info = f"wholeplace/residents/{use}/{self.purpose}".encode()
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=None,
                    info=info).derive(self._key)


def load_key(key_dir: Path, purpose: str) -> Pseudonymiser:
    """The purpose's key, refusing a missing, malformed or world-readable key file."""
    path = key_path(key_dir, purpose)
    if not path.is_file():
        raise ConfigError(f"No key file for purpose {purpose!r} at {path}. Create one with "
                          f"'wholeplace residents key {purpose}' (keep it out of the database "
                          "and out of git).")
    mode = path.stat().st_mode
    if mode & (stat.S_IROTH | stat.S_IWOTH):
        raise ConfigError(f"The key file {path} is readable or writable by every user on this "
                          f"machine. Restrict it (chmod 600 {path}) and run again.")
    text = path.read_text(encoding="ascii").strip()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise ConfigError(f"The key file {path} does not hold a 256-bit hex key. Restore it from "
                          "your backup; a new key would not match the existing pseudonyms.")
    return Pseudonymiser(purpose, bytes.fromhex(text))

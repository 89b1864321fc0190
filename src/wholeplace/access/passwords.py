"""Password hashing with argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).

argon2-cffi's own default (64 MiB, 3 passes, 4 lanes) took about 0.5 s a verification on the
two shared cores this was measured on; the OWASP profile about 0.06 s (benchmarks/access.py).
Hashes record their parameters, so raising them later rehashes each password at its next
sign-in (:func:`needs_rehash`)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from wholeplace.errors import InputError

_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

MIN_LENGTH = 12
MAX_LENGTH = 256

#: A hash of a random password: verified against when the email is unknown, so an unknown
#: account takes as long to refuse as a wrong password.
DUMMY_HASH = _hasher.hash("not a password anyone has: wholeplace timing equaliser")


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InputError(f"The password must be at least {MIN_LENGTH} characters long.")
    if len(password) > MAX_LENGTH:
        raise InputError(f"The password must be at most {MAX_LENGTH} characters long.")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches; always spends one argon2 verification."""
    try:
        return _hasher.verify(stored or DUMMY_HASH, password[:MAX_LENGTH]) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)

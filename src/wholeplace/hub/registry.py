"""The declarative source registry: every published file the hub knows how to load.

Each entry records what the file is (title, publisher, licence, release), how to check it
(size and SHA-256), where it comes from (the publisher's download URL where one is known,
otherwise the landing page) and which loader reads it. ``sources.yaml`` beside this module
is the registry; this module validates it and checks files against it.
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from wholeplace.errors import SourceError


class KnownCopy(BaseModel):
    """Another byte-for-byte version of the same release (e.g. the publisher's original where the
    bundle holds a re-saved copy): the same values, a different file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(gt=0)
    description: str = Field(description="What this copy is, e.g. 'GOV.UK original'.")


class SourceSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    path: str = Field(description="Path of the file inside the sources directory.")
    size: int = Field(gt=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    publisher: str
    licence: str
    release: str
    released_on: date | None = None
    url: HttpUrl | None = Field(default=None, description="Official download URL, if known.")
    landing_page: HttpUrl | None = None
    loader: str
    #: Loaders run in ascending order: the place register must come first.
    order: int = 100
    #: Options passed to the loader (e.g. which financial year a spreadsheet holds).
    options: dict = Field(default_factory=dict)
    notes: str = ""
    #: The bundle's file was opened and saved again by a third party (values untouched, bytes
    #: not identical to the publisher's download); ``sha256`` is of that re-saved file.
    resaved: bool = False
    #: Other known versions of the same release that are accepted as this source.
    other_copies: tuple[KnownCopy, ...] = ()

    def known_copies(self) -> list[KnownCopy]:
        """Every accepted version: the bundle's file first, then the others."""
        first = KnownCopy(sha256=self.sha256, size=self.size,
                          description="re-saved copy in the open data bundle" if self.resaved
                          else "file in the open data bundle")
        return [first, *self.other_copies]


@cache
def registry() -> dict[str, SourceSpec]:
    text = (resources.files("wholeplace.hub") / "sources.yaml").read_text(encoding="utf-8")
    specs = [SourceSpec(**item) for item in yaml.safe_load(text)]
    by_id = {s.id: s for s in specs}
    if len(by_id) != len(specs):
        raise ValueError("sources.yaml declares the same source id twice")
    return dict(sorted(by_id.items(), key=lambda kv: (kv[1].order, kv[0])))


def get_spec(source_id: str) -> SourceSpec:
    try:
        return registry()[source_id]
    except KeyError:
        raise SourceError(
            f"There is no registered source {source_id!r}. Run 'wholeplace datasets --registry' "
            "to list them."
        ) from None


def spec_for_file(path: Path) -> SourceSpec | None:
    """The registered source whose file has exactly this SHA-256, if any.

    Only the content counts: a file named like a registered one but with other bytes is not
    that source (and a renamed copy of a published file still is).
    """
    digest = sha256_of(path)
    for spec in registry().values():
        if any(c.sha256 == digest for c in spec.known_copies()):
            return spec
    return None


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def locate(spec: SourceSpec, sources: Path) -> Path:
    """The file for ``spec`` in the sources directory, verified by size and SHA-256 (any of its
    known copies)."""
    return locate_copy(spec, sources)[0]


def locate_copy(spec: SourceSpec, sources: Path) -> tuple[Path, KnownCopy]:
    """The verified file for ``spec`` and which of its known copies it is."""
    path = sources / spec.path
    if not path.is_file():
        how = (f"download it from {spec.url} (or run 'wholeplace fetch {spec.id}')"
               if spec.url else
               f"get it from {spec.landing_page or spec.publisher}")
        raise SourceError(f"{spec.title}: {path} is missing. Put the file there, or {how}.")
    return path, verify(spec, path)


def verify(spec: SourceSpec, path: Path) -> KnownCopy:
    """The known copy of ``spec`` that ``path`` is (by size, then SHA-256), or a SourceError."""
    size = path.stat().st_size
    copies = [c for c in spec.known_copies() if c.size == size]
    if not copies:
        sizes = " or ".join(f"{c.size:,}" for c in spec.known_copies())
        raise SourceError(
            f"{path} is {size:,} bytes but the registry records {sizes} for "
            f"{spec.title!r}. It is not the published file: replace it with the original."
        )
    digest = sha256_of(path)
    for copy in copies:
        if copy.sha256 == digest:
            return copy
    raise SourceError(
        f"{path} has SHA-256 {digest}, not the {spec.sha256} recorded for "
        f"{spec.title!r}. It has been changed since publication: replace it with the "
        "original."
    )


def fetch(spec: SourceSpec, sources: Path, *, client=None) -> Path:
    """Download ``spec`` from its official URL into the sources directory and verify it.

    Needs internet access; never used by tests or CI against the real network.
    """
    if spec.url is None:
        raise SourceError(
            f"{spec.title!r} has no known official download URL. Get it from "
            f"{spec.landing_page or spec.publisher} and put it at {sources / spec.path}."
        )
    import httpx

    target = sources / spec.path
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    own = client is None
    client = client or httpx.Client(follow_redirects=True, timeout=120)
    try:
        with client.stream("GET", str(spec.url)) as resp:
            resp.raise_for_status()
            with open(tmp, "wb") as f:
                for chunk in resp.iter_bytes():
                    f.write(chunk)
    except httpx.HTTPError as exc:
        tmp.unlink(missing_ok=True)
        raise SourceError(f"Could not download {spec.url}: {exc}. Check the connection.") from exc
    finally:
        if own:
            client.close()
    try:
        verify(spec, tmp)
    except SourceError:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(target)
    return target

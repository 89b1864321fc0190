"""Read paths never read the base tables of data: only the views that follow the viewer.

Only the modules that write (loading, validation before a write, derived values, publication)
and the store itself may name ``observations`` or ``datasets`` in SQL; every other module reads
``visible_datasets``, ``visible_observations`` or ``current_observations``, so it cannot read
another organisation's private data whatever the reader (see wholeplace.hub.visibility)."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "wholeplace"
WRITERS = {"hub/load.py", "hub/validate.py", "hub/derived.py", "hub/schema.py",
           "hub/store.py", "hub/visibility.py", "hub/uploads.py",
           # The sign-in glue works out which private datasets of *other* organisations an
           # agreement shares with the reader: the visible_* views hide exactly those (that is
           # what it computes), so it must read the base table; it returns ids only, which
           # then scope the views through Viewer.shared_dataset_ids.
           "web/access/viewer.py"}
BASE_TABLE = re.compile(r"\b(?:FROM|JOIN)\s+(?:main\.)?(observations|datasets)\b(?!\w)",
                        re.IGNORECASE)


def test_no_read_path_names_a_base_table():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel in WRITERS:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if BASE_TABLE.search(line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "read the visible_* views instead:\n" + "\n".join(offenders)


def test_the_check_would_catch_one():
    assert BASE_TABLE.search('"SELECT * FROM observations WHERE x"')
    assert BASE_TABLE.search("JOIN datasets d USING (dataset_id)")
    assert not BASE_TABLE.search("FROM visible_observations o")
    assert not BASE_TABLE.search("FROM current_observations")

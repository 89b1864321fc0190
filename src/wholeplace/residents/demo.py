"""Build a SYNTHETIC residents workspace from the generator: the fixture builder the tests,
benchmarks and the demo share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from wholeplace.residents import synthetic
from wholeplace.residents.mapping import Authorisation, SourceMapping, mapping_from
from wholeplace.residents.privacy import create_key, key_path
from wholeplace.residents.sources import register
from wholeplace.residents.workspace import open_workspace

PURPOSE = "prevention"
#: The synthetic agreement the demo registers its synthetic extracts under.
DEMO_AUTHORISATION = Authorisation(agreement_id="SYNTHETIC-DSA-1", purpose=PURPOSE,
                                   status="active", ends_on=date(2030, 3, 31))


@dataclass
class Demo:
    folder: Path
    workspace: Path
    key_dir: Path
    population: synthetic.Population
    paths: dict[str, Path]


def synthetic_mapping(system: str) -> SourceMapping:
    return mapping_from({"source": system, "label": f"SYNTHETIC {system}",
                         **synthetic.MAPPINGS[system]}, f"synthetic mapping {system}")


def build(folder: Path, n_households: int = 500, seed: int = 1,
          systems: tuple[str, ...] = ("council_tax", "electoral_register", "housing_benefit",
                                      "adult_social_care"),
          today: date = synthetic.REFERENCE_DATE) -> Demo:
    """Generate, write and register SYNTHETIC extracts; create the purpose's key if missing."""
    population = synthetic.generate(n_households, seed=seed, systems=systems)
    paths = synthetic.write(population, folder / "extracts")
    key_dir = folder / "keys"
    if not key_path(key_dir, PURPOSE).exists():
        create_key(key_dir, PURPOSE)
    workspace = folder / "residents.duckdb"
    with open_workspace(workspace) as ws:
        for system, path in paths.items():
            register(ws, path, synthetic_mapping(system), DEMO_AUTHORISATION, today)
    return Demo(folder, workspace, key_dir, population, paths)

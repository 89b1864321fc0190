"""A SYNTHETIC population and the service-system extracts it would appear in, with the truth.

Nothing here describes a real person or place. Every record id starts ``SYN-``, every extract
has a ``synthetic`` column reading ``SYNTHETIC``, every file name starts ``SYNTHETIC-``. Postcodes
are in the area ``QZ``, which cannot be a real UK postcode (no real postcode area starts with Q);
UPRNs are 12 digits starting ``99``; NHS numbers are in the ``999`` range set aside for testing,
with a valid check digit. The error rates are documented (and their basis stated) in
docs/residents.md; they live in :data:`ERRORS` so a benchmark can say exactly what it used.

The generator is seeded: the same arguments give the same records, byte for byte.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

LABEL = "SYNTHETIC"
#: The reference date: ages and service dates are computed from it, not from today.
REFERENCE_DATE = date(2026, 4, 1)
SYSTEMS = ("council_tax", "electoral_register", "housing_benefit", "adult_social_care", "housing")
STREETS = ("Acacia Road", "Beech Grove", "Cedar Close", "Damson Way", "Elm Street", "Fir Lane",
           "Gorse Avenue", "Hazel Drive", "Ivy Terrace", "Juniper Court", "Larch Rise",
           "Maple Crescent", "Oak Parade", "Poplar Walk", "Rowan Mews", "Sycamore Place",
           "Willow Gardens", "Yew Row")
TOWN = "Synthtown"


@dataclass(frozen=True)
class ErrorRates:
    """Probability of each error, per record (per person for moves and name changes)."""

    forename_typo: float = 0.02
    surname_typo: float = 0.015
    nickname: float = 0.08
    keeps_birth_surname: float = 0.15
    takes_partners_surname: float = 0.6
    moved: float = 0.08
    stale_address: float = 0.35
    dob_error: float = 0.015
    postcode_typo: float = 0.01
    postcode_missing: float = 0.01
    uprn_missing: float = 0.05
    duplicate: float = 0.02
    sex_missing: float = 0.005
    council_tax_dob_missing: float = 0.85
    twins: float = 0.02


ERRORS = ErrorRates()


@dataclass(frozen=True)
class Address:
    uprn: str
    line_1: str
    line_2: str
    postcode: str


@dataclass
class Person:
    person_id: str
    forename: str
    middle_name: str
    surname: str
    birth_surname: str
    sex: str
    dob: date
    nhs_number: str
    household: int
    previous: Address | None = None


@dataclass
class Household:
    number: int
    address: Address
    people: list[Person] = field(default_factory=list)
    low_income: bool = False
    social_tenant: bool = False


@dataclass
class Population:
    """The generated extracts (one list of rows per system) and the truth behind them."""

    seed: int
    extracts: dict[str, list[dict[str, str]]]
    #: (system, source record id) -> the synthetic person's id.
    truth: dict[tuple[str, str], str]
    households: list[Household]

    def record_count(self) -> int:
        return sum(len(rows) for rows in self.extracts.values())

    def true_pairs(self) -> set[tuple[str, str]]:
        """Every pair of record keys ``system:record_id`` that belong to one person."""
        by_person: dict[str, list[str]] = {}
        for (system, record_id), person in self.truth.items():
            by_person.setdefault(person, []).append(f"{system}:{record_id}")
        pairs: set[tuple[str, str]] = set()
        for keys in by_person.values():
            keys.sort()
            for i, left in enumerate(keys):
                for right in keys[i + 1:]:
                    pairs.add((left, right))
        return pairs


@cache
def names() -> dict[str, Any]:
    """The shipped name lists and nicknames table (``residents/data/names.yaml``)."""
    text = resources.files("wholeplace.residents").joinpath("data/names.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def nickname_of() -> dict[str, list[str]]:
    """Canonical forename -> its informal forms."""
    out: dict[str, list[str]] = {}
    for informal, canonical in names()["nicknames"].items():
        out.setdefault(canonical, []).append(informal)
    return out


def nhs_number(rng: random.Random) -> str:
    """A ten-digit number in the 999 test range with a valid modulus-11 check digit."""
    while True:
        digits = [9, 9, 9] + [rng.randrange(10) for _ in range(6)]
        total = sum(d * w for d, w in zip(digits, range(10, 1, -1)))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, [*digits, check]))


def _postcode(household: int) -> str:
    unit = household // 12  # about twelve households a postcode, spread over 20 districts
    district, rest = unit % 20, unit // 20
    sector, letters = rest % 10, (rest // 10) % (26 * 26)
    first, second = divmod(letters, 26)
    return f"QZ{district + 1} {sector}{chr(65 + first)}{chr(65 + second)}"


def _address(number: int) -> Address:
    street = STREETS[(number // 40) % len(STREETS)]
    return Address(uprn=f"99{number:010d}", line_1=f"{number % 200 + 1} {street}",
                   line_2=TOWN, postcode=_postcode(number))


def _sex_name(rng: random.Random, sex: str) -> str:
    pool: list[str] = names()["forenames"]["female" if sex == "F" else "male"]
    # Earlier names in each list are commoner: a gentle skew, an assumption.
    return pool[min(int(rng.paretovariate(1.2)) - 1, len(pool) - 1)] if rng.random() < 0.3 \
        else rng.choice(pool)


def _birth(rng: random.Random, low: int, high: int) -> date:
    start = REFERENCE_DATE - timedelta(days=365 * high + 200)
    return start + timedelta(days=rng.randrange(365 * (high - low) + 1))


def _household(rng: random.Random, number: int, counter: Iterator[int]) -> Household:
    hh = Household(number, _address(number), low_income=rng.random() < 0.18,
                   social_tenant=rng.random() < 0.17)
    surnames: list[str] = names()["surnames"]
    family = rng.choice(surnames)

    def person(sex: str, surname: str, birth_surname: str, dob: date, forename: str = "") -> Person:
        p = Person(person_id=f"SYN-P{next(counter):08d}", forename=forename or _sex_name(rng, sex),
                   middle_name=_sex_name(rng, sex) if rng.random() < 0.4 else "",
                   surname=surname, birth_surname=birth_surname, sex=sex, dob=dob,
                   nhs_number=nhs_number(rng), household=number)
        hh.people.append(p)
        return p

    kind = rng.random()
    first_sex = rng.choice("FM")
    head = person(first_sex, family, family, _birth(rng, 18, 95))
    if kind < 0.55:  # a couple; the partner may have taken the head's surname
        partner_sex = "M" if first_sex == "F" else "F"
        own = rng.choice(surnames)
        taken = rng.random() < ERRORS.takes_partners_surname
        age = (REFERENCE_DATE - head.dob).days // 365
        low, high = max(18, age - 6), min(95, age + 6)
        person(partner_sex, family if taken else own, own, _birth(rng, low, high))
    if kind < 0.75 and (REFERENCE_DATE - head.dob).days // 365 < 60:
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            child = person(rng.choice("FM"), family, family, _birth(rng, 0, 17))
            if rng.random() < ERRORS.twins:  # a twin: same surname, address and birthday
                person(rng.choice("FM"), family, family, child.dob)
    return hh


def _people(rng: random.Random, n_households: int) -> list[Household]:
    counter = iter(range(1, 10**9))
    households = [_household(rng, i + 1, counter) for i in range(n_households)]
    for hh in households:
        for p in hh.people:
            if rng.random() < ERRORS.moved:
                p.previous = _address(10**8 + rng.randrange(10**6))
    return households


# --- errors -------------------------------------------------------------------------------

def typo(rng: random.Random, text: str) -> str:
    """One keying error: a substitution, deletion, insertion or transposition."""
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    letter = chr(97 + rng.randrange(26))
    if kind == 0:
        return text[:i] + letter + text[i + 1:]
    if kind == 1:
        return text[:i] + text[i + 1:]
    if kind == 2:
        return text[:i] + letter + text[i:]
    return text[:i - 1] + text[i] + text[i - 1] + text[i + 1:]


def _dob_error(rng: random.Random, dob: date) -> date:
    if dob.day <= 12 and dob.day != dob.month and rng.random() < 0.5:
        return dob.replace(day=dob.month, month=dob.day)  # day and month swapped
    try:
        return dob.replace(year=dob.year + rng.choice((-1, 1)))
    except ValueError:
        return dob - timedelta(days=1)


@dataclass
class Observed:
    """A person as one system happens to have recorded them."""

    forename: str
    middle_name: str
    surname: str
    sex: str
    dob: date | None
    address: Address
    uprn: str
    postcode: str


def observe(rng: random.Random, p: Person, home: Address, dob_missing: float) -> Observed:
    nick = nickname_of().get(p.forename)
    forename = rng.choice(nick) if nick and rng.random() < ERRORS.nickname else p.forename
    if rng.random() < ERRORS.forename_typo:
        forename = typo(rng, forename)
    surname = p.surname
    if p.birth_surname != p.surname and rng.random() < ERRORS.keeps_birth_surname:
        surname = p.birth_surname
    if rng.random() < ERRORS.surname_typo:
        surname = typo(rng, surname)
    dob: date | None = p.dob
    if rng.random() < dob_missing:
        dob = None
    elif rng.random() < ERRORS.dob_error:
        dob = _dob_error(rng, p.dob)
    address = p.previous if p.previous and rng.random() < ERRORS.stale_address else home
    postcode = address.postcode
    if rng.random() < ERRORS.postcode_missing:
        postcode = ""
    elif rng.random() < ERRORS.postcode_typo:
        postcode = postcode[:-1] + chr(65 + rng.randrange(26))
    uprn = "" if rng.random() < ERRORS.uprn_missing else address.uprn
    sex = "" if rng.random() < ERRORS.sex_missing else p.sex
    return Observed(forename, p.middle_name, surname, sex, dob, address, uprn, postcode)


# --- the service systems -------------------------------------------------------------------

def _age(p: Person) -> int:
    return (REFERENCE_DATE - p.dob).days // 365


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _uk(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _service_dates(rng: random.Random) -> tuple[date, date | None]:
    start = REFERENCE_DATE - timedelta(days=rng.randrange(30, 365 * 12))
    ended = rng.random() < 0.2
    end = start + timedelta(days=rng.randrange(30, 365 * 3)) if ended else None
    return start, (min(end, REFERENCE_DATE) if end else None)


def _members(rng: random.Random, system: str, hh: Household) -> list[Person]:
    adults = [p for p in hh.people if _age(p) >= 18]
    if system == "council_tax":
        return adults[:2] if len(adults) > 1 and rng.random() < 0.5 else adults[:1]
    if system == "electoral_register":
        return [p for p in adults if rng.random() < 0.9]
    if system == "housing_benefit":
        return adults[:2] if hh.low_income else []
    if system == "housing":
        return adults[:2] if hh.social_tenant else []
    if system == "adult_social_care":
        return [p for p in adults if rng.random() < (0.15 if _age(p) >= 65 else 0.015)]
    raise ValueError(f"unknown synthetic system {system!r}; choose from {', '.join(SYSTEMS)}")


def _row(system: str, record_id: str, o: Observed, p: Person,
         dates: tuple[date, date | None]) -> dict[str, str]:
    start, end = dates
    if system == "council_tax":  # upper case, as many revenues systems hold names
        return {"synthetic": LABEL, "account_ref": record_id, "forename": o.forename.upper(),
                "surname": o.surname.upper(), "date_of_birth": _iso(o.dob),
                "address_1": o.address.line_1.upper(), "address_2": o.address.line_2.upper(),
                "post_code": o.postcode.replace(" ", ""), "uprn": o.uprn,
                "liable_from": _iso(start), "liable_to": _iso(end)}
    if system == "electoral_register":
        return {"synthetic": LABEL, "elector_number": record_id, "forename": o.forename,
                "middle_names": o.middle_name, "surname": o.surname,
                "address1": o.address.line_1, "address2": o.address.line_2,
                "postcode": o.postcode, "uprn": o.uprn, "registered_on": _iso(start)}
    if system == "housing_benefit":
        return {"synthetic": LABEL, "claim_id": record_id, "first_name": o.forename,
                "last_name": o.surname, "dob": _uk(o.dob), "sex": o.sex,
                "addr1": o.address.line_1, "addr2": o.address.line_2,
                "postcode": o.postcode.lower(), "uprn": o.uprn,
                "award_start": _uk(start), "award_end": _uk(end)}
    if system == "adult_social_care":
        gender = {"F": "Female", "M": "Male"}.get(o.sex, "")
        return {"synthetic": LABEL, "client_id": record_id, "given_name": o.forename,
                "family_name": o.surname, "birth_date": _iso(o.dob), "gender": gender,
                "nhs_no": p.nhs_number, "address_line_1": o.address.line_1,
                "town": o.address.line_2, "postcode": o.postcode, "uprn": o.uprn,
                "service_start": _iso(start), "service_end": _iso(end)}
    return {"synthetic": LABEL, "tenancy_ref": record_id, "first_name": o.forename,
            "surname": o.surname, "dob": _iso(o.dob), "sex": o.sex,
            "address_line_1": o.address.line_1, "address_line_2": o.address.line_2,
            "postcode": o.postcode, "uprn": o.uprn, "tenancy_start": _iso(start),
            "tenancy_end": _iso(end)}


_PREFIX = {"council_tax": "CT", "electoral_register": "ER", "housing_benefit": "HB",
           "adult_social_care": "ASC", "housing": "HO"}
_DOB_MISSING = {"council_tax": ERRORS.council_tax_dob_missing, "electoral_register": 1.0,
                "housing_benefit": 0.005, "adult_social_care": 0.01, "housing": 0.05}


def system_rows(rng: random.Random, system: str, households: Sequence[Household],
                 truth: dict[tuple[str, str], str]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    number = 0
    for hh in households:
        for p in _members(rng, system, hh):
            dates = _service_dates(rng)
            copies = 2 if rng.random() < ERRORS.duplicate else 1
            for _ in range(copies):  # a duplicate is keyed again, with its own errors
                number += 1
                record_id = f"SYN-{_PREFIX[system]}-{number:08d}"
                o = observe(rng, p, hh.address, _DOB_MISSING[system])
                rows.append(_row(system, record_id, o, p, dates))
                truth[(system, record_id)] = p.person_id
    if system == "adult_social_care":
        for row in rows:  # NHS numbers are held for most, not all, social care clients
            if rng.random() < 0.08:
                row["nhs_no"] = ""
    return rows


def generate(n_households: int = 1000, seed: int = 1,
             systems: Sequence[str] = ("council_tax", "electoral_register", "housing_benefit",
                                       "adult_social_care")) -> Population:
    """A SYNTHETIC population of ``n_households`` households and its records in ``systems``."""
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown synthetic system(s) {unknown}; choose from {', '.join(SYSTEMS)}")
    rng = random.Random(seed)
    households = _people(rng, n_households)
    truth: dict[tuple[str, str], str] = {}
    extracts = {s: system_rows(random.Random(f"{seed}:{s}"), s, households, truth)
                for s in systems}
    return Population(seed, extracts, truth, households)


# --- files ---------------------------------------------------------------------------------

#: The declared mapping of each synthetic extract (the shape of residents.mapping.SourceMapping).
MAPPINGS: dict[str, dict[str, Any]] = {
    "council_tax": {"record_id": "account_ref", "forename": "forename", "surname": "surname",
                    "dob": "date_of_birth", "address_lines": ["address_1", "address_2"],
                    "postcode": "post_code", "uprn": "uprn", "service_start": "liable_from",
                    "service_end": "liable_to", "date_format": "%Y-%m-%d"},
    "electoral_register": {"record_id": "elector_number", "forename": "forename",
                           "middle_names": "middle_names", "surname": "surname",
                           "address_lines": ["address1", "address2"], "postcode": "postcode",
                           "uprn": "uprn", "service_start": "registered_on",
                           "date_format": "%Y-%m-%d"},
    "housing_benefit": {"record_id": "claim_id", "forename": "first_name",
                        "surname": "last_name", "dob": "dob", "sex": "sex",
                        "address_lines": ["addr1", "addr2"], "postcode": "postcode",
                        "uprn": "uprn", "service_start": "award_start",
                        "service_end": "award_end", "date_format": "%d/%m/%Y"},
    "adult_social_care": {"record_id": "client_id", "forename": "given_name",
                          "surname": "family_name", "dob": "birth_date", "sex": "gender",
                          "nhs_number": "nhs_no", "address_lines": ["address_line_1", "town"],
                          "postcode": "postcode", "uprn": "uprn",
                          "service_start": "service_start", "service_end": "service_end",
                          "date_format": "%Y-%m-%d"},
    "housing": {"record_id": "tenancy_ref", "forename": "first_name", "surname": "surname",
                "dob": "dob", "sex": "sex", "address_lines": ["address_line_1", "address_line_2"],
                "postcode": "postcode", "uprn": "uprn", "service_start": "tenancy_start",
                "service_end": "tenancy_end", "date_format": "%Y-%m-%d"},
}


def write(population: Population, folder: Path) -> dict[str, Path]:
    """Write each extract as ``SYNTHETIC-<system>.csv`` with its mapping
    ``SYNTHETIC-<system>.mapping.yaml``, plus ``SYNTHETIC-truth.csv``. Returns the CSV paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for system, rows in population.extracts.items():
        path = folder / f"{LABEL}-{system}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["synthetic"])
            writer.writeheader()
            writer.writerows(rows)
        mapping = {"source": system, "label": f"{LABEL} {system.replace('_', ' ')} extract",
                   **MAPPINGS[system]}
        (folder / f"{LABEL}-{system}.mapping.yaml").write_text(
            f"# {LABEL}: the mapping of a generated extract, not of a real system.\n"
            + yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
        paths[system] = path
    with (folder / f"{LABEL}-truth.csv").open("w", newline="", encoding="utf-8") as f:
        truth = csv.writer(f)
        truth.writerow(["synthetic", "source", "record_id", "person_id"])
        for (system, record_id), person in sorted(population.truth.items()):
            truth.writerow([LABEL, system, record_id, person])
    return paths

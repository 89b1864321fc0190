"""Consequences over time: the modelled later cost of a resident's cut to a line that funds a
prevention programme, who bears it, and the same for the average submission.

A service line may name a prevention model (``prevention: {model: ...}``). Cutting the line
cuts the programme (pound for pound, by ``per_pound``, or in proportion to the line's budget);
the cut loses the same share of every partner's avoided cost, year by year, bounded by the whole
programme (:func:`wholeplace.budget.consequences.cut_consequences`). Each model is evaluated
once, at its central values, into a :class:`Profile` (its programme cost a year and the whole
programme's avoided cost per partner and year), cached by its file and modification time, so a
resident's figures are a few multiplications and a submission is not slowed.

Years are counted from the consultation's budget year (the model's flows depend only on the
years since the programme started); money is at the model's price base, and every output says
so, with the model's illustration caveat. The catalogue of models is read at the edge
(:func:`models_dir`, :func:`resolve`); everything else here is pure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from wholeplace.budget.consequences import cut_consequences
from wholeplace.budget.plan_model import fy_label
from wholeplace.budget.prevention import Lookup, Model
from wholeplace.consult.models import Consultation, LinePrevention, ServiceLine
from wholeplace.errors import InputError, NotFoundError, ValidationError

#: The folder of prevention models a consultation may link to (else examples/prevention).
MODELS_ENV = "WHOLEPLACE_PREVENTION_MODELS"
DEFAULT_DIR = Path(__file__).resolve().parents[3] / "examples" / "prevention"


class ModelProblem(InputError):
    """A linked prevention model cannot be used: unknown, unreadable, or nothing to show."""


@dataclass(frozen=True)
class PartnerFlow:
    partner: str
    name: str
    #: £ a year at the model's price base, one value per year of the model.
    by_year: tuple[float, ...]


@dataclass(frozen=True)
class Profile:
    """A prevention model reduced to what a cut needs: the whole programme's cost a year and the
    cost each partner avoids in each year (central values, price base ``price_base``)."""

    model: str
    title: str
    price_base: str
    illustration: bool
    note: str
    programme: float
    partners: tuple[PartnerFlow, ...]
    file: str

    @property
    def years(self) -> int:
        return len(self.partners[0].by_year) if self.partners else 0


def profile_of(model: Model, file: str = "") -> Profile:
    """The profile of a prepared model; refused if its price base or partners cannot be shown."""
    m = model.m
    if not m.price_base.strip():
        raise ModelProblem(f"the prevention model {m.id} has no price base, so its costs "
                           "cannot be shown in any year's prices; give price_base.")
    programme = float(cut_consequences(model, 0)["programme_cost_per_year"])
    whole = cut_consequences(model, programme)
    partners = tuple(PartnerFlow(p["partner"], p["name"], tuple(p["by_year"].values()))
                     for p in whole["partners"])
    if not partners:
        raise ModelProblem(f"the prevention model {m.id} shows no partner avoiding any cost, "
                           "so a cut has no later cost to show; check its outcomes' receivers.")
    return Profile(m.id, m.title, m.price_base, m.illustration, (m.note or "").strip(),
                   programme, partners, file)


# -- the catalogue of models (the I/O edge) --------------------------------------------------

def models_dir() -> Path:
    return Path(os.environ.get(MODELS_ENV) or DEFAULT_DIR)


_INDEX: dict[tuple[str, tuple[tuple[str, int], ...]], dict[str, Path]] = {}
_PROFILES: dict[tuple[str, str, int], Profile] = {}
#: Why a model could not be resolved, and when: tried again after FAILURE_SECONDS (the hub may
#: gain its unit costs), so a page of a consultation whose model cannot be priced does not
#: re-read and re-check the model on every request.
_FAILED: dict[tuple[str, str, int, bool], tuple[float, str]] = {}
FAILURE_SECONDS = 60.0


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def index(folder: Path | None = None) -> dict[str, Path]:
    """Model id -> its file, for every model in the folder (read again when a file changes)."""
    folder = folder or models_dir()
    files = _files(folder)
    key = (str(folder), tuple((p.name, p.stat().st_mtime_ns) for p in files))
    found = _INDEX.get(key)
    if found is None:
        found = {}
        for p in files:
            try:
                data = yaml.safe_load(p.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                continue
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                found.setdefault(data["id"], p)
        if len(_INDEX) > 16:
            _INDEX.clear()
        _INDEX[key] = found
    return found


def clear_cache() -> None:
    """Forget every resolved model and remembered failure (a profile priced from one hub is
    otherwise kept for every later caller, with or without a hub)."""
    _PROFILES.clear()
    _FAILED.clear()


def cached(model_id: str, folder: Path | None = None) -> Profile | None:
    """The model's profile if it is cached and its file has not changed since."""
    path = index(folder).get(model_id)
    if path is None:
        return None
    return _PROFILES.get((model_id, str(path), path.stat().st_mtime_ns))


def resolve(model_id: str, lookup: Lookup | None, folder: Path | None = None) -> Profile:
    """The profile of the model with this id: read, checked, priced (unit costs by ``lookup``)
    and evaluated once per version of its file. Raises :class:`ModelProblem` saying why not
    (a failure is remembered for FAILURE_SECONDS)."""
    known = index(folder)
    path = known.get(model_id)
    if path is None:
        names = ", ".join(sorted(known)) or "none"
        raise ModelProblem(f"{model_id!r} is not a prevention model the platform knows "
                           f"(known: {names}); use one of those ids or remove prevention.")
    key = (model_id, str(path), path.stat().st_mtime_ns)
    found = _PROFILES.get(key)
    if found is not None:
        return found
    tried = (*key, lookup is None)  # without a hub is not with one
    failed = _FAILED.get(tried)
    if failed is not None and time.monotonic() - failed[0] < FAILURE_SECONDS:
        raise ModelProblem(failed[1])
    try:
        found = _profile(model_id, path, lookup)
    except ModelProblem as exc:
        if len(_FAILED) > 64:
            _FAILED.clear()
        _FAILED[tried] = (time.monotonic(), str(exc))
        raise
    _FAILED.pop(tried, None)
    if len(_PROFILES) > 64:
        _PROFILES.clear()
    _PROFILES[key] = found
    return found


def _profile(model_id: str, path: Path, lookup: Lookup | None) -> Profile:
    from wholeplace.budget.files import load
    from wholeplace.budget.prevention import prepare
    from wholeplace.budget.prevention_model import Intervention

    try:
        return profile_of(prepare(load(Intervention, path), lookup), path.name)
    except ModelProblem:
        raise
    except ValidationError as exc:
        raise ModelProblem(f"the prevention model {model_id} ({path.name}) is not valid: "
                           + "; ".join(p.message for p in exc.problems)) from exc
    except (InputError, NotFoundError) as exc:
        raise ModelProblem(f"the prevention model {model_id} ({path.name}) cannot be "
                           f"priced: {exc}") from exc


def linked(c: Consultation) -> list[ServiceLine]:
    return [line for line in c.lines if line.prevention is not None]


def profiles(c: Consultation, lookup: Callable[[], Lookup | None],
             folder: Path | None = None) -> tuple[dict[str, Profile], dict[str, str]]:
    """(model id -> profile, model id -> why it cannot be shown) for the lines linked in ``c``.
    ``lookup`` is called (to open the hub) only when a profile is not cached."""
    ids = sorted({line.prevention.model for line in linked(c) if line.prevention})
    out: dict[str, Profile] = {}
    missing = []
    for i in ids:
        hit = cached(i, folder)
        if hit is not None:
            out[i] = hit
        else:
            missing.append(i)
    problems: dict[str, str] = {}
    if missing:
        look = lookup()
        for i in missing:
            try:
                out[i] = resolve(i, look, folder)
            except ModelProblem as exc:
                problems[i] = str(exc)
    return out, problems


# -- the computation (pure) ------------------------------------------------------------------

def programme_cut(line: ServiceLine, change: float, profile: Profile) -> float:
    """£ a year taken from the programme when the line changes by ``change`` £ (a rise: 0)."""
    p = line.prevention
    assert p is not None
    cut = max(0.0, -change)
    if not cut:
        return 0.0
    if p.mapping == "proportional":
        budget = float(line.current_budget)
        return min(1.0, cut / budget) * profile.programme if budget > 0 else 0.0
    return cut * float(p.per_pound)


def year_labels(c: Consultation, years: int) -> list[str]:
    start = int(c.budget_year[:4])
    return [fy_label(start + i) for i in range(years)]


@dataclass(frozen=True)
class LaterCost:
    """The later cost of the cuts to the lines linked to one model."""

    profile: Profile
    lines: tuple[str, ...]
    cut: float
    share: float
    years: tuple[str, ...]
    #: (partner, name, £ by year, total)
    partners: tuple[tuple[str, str, tuple[float, ...], float], ...]

    @property
    def by_year(self) -> tuple[float, ...]:
        return tuple(sum(p[2][i] for p in self.partners) for i in range(len(self.years)))

    @property
    def total(self) -> float:
        return sum(p[3] for p in self.partners)

    def to_dict(self) -> dict[str, Any]:
        pr = self.profile
        return {"model": pr.model, "title": pr.title, "price_base": pr.price_base,
                "illustration": pr.illustration, "note": pr.note, "lines": list(self.lines),
                "programme_cost_per_year": pr.programme, "programme_cut_per_year": self.cut,
                "share_of_programme": self.share, "years": list(self.years),
                "partners": [{"partner": pid, "name": name,
                              "by_year": dict(zip(self.years, flows, strict=True)),
                              "total": total} for pid, name, flows, total in self.partners],
                "by_year": dict(zip(self.years, self.by_year, strict=True)),
                "total": self.total}


def _scaled(c: Consultation, profile: Profile, lines: Sequence[str], cut: float
            ) -> LaterCost:
    share = min(1.0, cut / profile.programme) if profile.programme > 0 else 0.0
    parts = tuple((f.partner, f.name, tuple(share * v for v in f.by_year),
                   share * sum(f.by_year)) for f in profile.partners)
    return LaterCost(profile, tuple(lines), cut, share,
                     tuple(year_labels(c, profile.years)), parts)


def later_costs(c: Consultation, changes: Mapping[str, Decimal | float],
                found: Mapping[str, Profile], only: Iterable[str] | None = None
                ) -> list[LaterCost]:
    """The later cost, per linked model, of the line changes (£, by line id; omitted: none),
    the cuts to lines linked to one model added up before the programme's bound. ``only``:
    count these lines alone (the figure beside one line)."""
    wanted = set(only) if only is not None else None
    cuts: dict[str, float] = {}
    lines: dict[str, list[str]] = {}
    for line in linked(c):
        assert line.prevention is not None
        profile = found.get(line.prevention.model)
        if profile is None or (wanted is not None and line.id not in wanted):
            continue
        cut = programme_cut(line, float(changes.get(line.id, 0)), profile)
        if cut > 0:
            cuts[profile.model] = cuts.get(profile.model, 0.0) + cut
            lines.setdefault(profile.model, []).append(line.id)
    return [_scaled(c, found[m], lines[m], cut) for m, cut in cuts.items()]


def average(c: Consultation, responses: Sequence[Mapping[str, float]],
            found: Mapping[str, Profile]) -> dict[str, Any]:
    """The mean over ``responses`` (each: £ change by line id) of the later cost per model,
    partner and year; a response that cuts no linked line counts as no later cost."""
    n = len(responses)
    models: dict[str, dict[str, Any]] = {}
    cutting: dict[str, int] = {}
    for changes in responses:
        for lc in later_costs(c, changes, found):
            cutting[lc.profile.model] = cutting.get(lc.profile.model, 0) + 1
            m = models.setdefault(lc.profile.model, {
                "years": lc.years, "sums": {p[0]: [0.0] * len(lc.years) for p in lc.partners}})
            for pid, _name, flows, _t in lc.partners:
                acc = m["sums"][pid]
                for i, v in enumerate(flows):
                    acc[i] += v
    out = []
    for line_model in sorted({ln.prevention.model for ln in linked(c) if ln.prevention}):
        profile = found.get(line_model)
        if profile is None:
            continue
        years = year_labels(c, profile.years)
        sums = models.get(line_model, {}).get("sums", {})
        partners: list[dict[str, Any]] = []
        for f in profile.partners:
            mean = [v / n for v in sums.get(f.partner, [0.0] * len(years))] if n else \
                [0.0] * len(years)
            partners.append({"partner": f.partner, "name": f.name,
                             "by_year": dict(zip(years, mean, strict=True)),
                             "total": sum(mean)})
        by_year = [sum(p["by_year"][y] for p in partners) for y in years]
        out.append({"model": profile.model, "title": profile.title,
                    "price_base": profile.price_base, "illustration": profile.illustration,
                    "note": profile.note,
                    "lines": [ln.id for ln in linked(c) if ln.prevention
                              and ln.prevention.model == line_model],
                    "responses": n, "responses_cutting": cutting.get(line_model, 0),
                    "years": years, "partners": partners,
                    "by_year": dict(zip(years, by_year, strict=True)),
                    "total": sum(by_year)})
    return {"responses": n, "models": out}


def link_problems(c: Consultation, check: Callable[[str], object] | None
                  ) -> list[tuple[str, str]]:
    """Every (field, message) wrong with the lines' prevention links. The rules of the mapping
    always; whether each model is known and can be shown when ``check`` (which raises
    :class:`ModelProblem`) is given."""
    out: list[tuple[str, str]] = []
    for i, line in enumerate(c.lines):
        p: LinePrevention | None = line.prevention
        if p is None:
            continue
        where = f"lines[{i}] ({line.id}).prevention"
        if not 0 < p.per_pound <= 1:
            out.append((f"{where}.per_pound", (f"{p.per_pound} is not a share of each pound "
                        "cut: give a number above 0 and at most 1 (1 is pound for pound).")))
        if p.mapping == "proportional":
            if p.per_pound != 1:
                out.append((f"{where}.per_pound", ("per_pound applies to pound_for_pound "
                            "only; remove it, or use mapping: pound_for_pound.")))
            if line.current_budget <= 0:
                out.append((f"{where}.mapping", ("a proportional cut needs a current budget "
                            "above £0; use pound_for_pound.")))
        if check is not None:
            try:
                check(p.model)
            except ModelProblem as exc:
                out.append((f"{where}.model", str(exc)))
    return out

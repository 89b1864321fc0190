"""Comparator groups: the councils a council is compared with, chosen five ways.

One function, :func:`comparator_group`, returns the same shape (:class:`ComparatorGroup`) for
every method:

* ``ours``: the k most similar councils of the same kind by context (``comparators``), with
  distances and reasons. Default universe ``current``.
* ``cipfa``: the published nearest-neighbour set (``neighbour_sets``, set_id ``cipfa``). Its
  licence is uncertain (CIPFA licenses its model: check before publishing comparisons), the lists
  are sorted by code (no ranking) and they are on mid-2021 geography, so the 2023 unitaries have
  none and the Isles of Scilly and City of London have an empty list.
* ``region``: the councils of the same kind in the same English region.
* ``county``: for a shire district, the other districts of its county.
* ``custom``: a list of codes a person chose (a subregion, a partnership), validated.

Where a member is of the subject's kind in the same universe, it carries our distance and
reasons too (``cipfa`` members are described on the lad2021 geography they were published on).
:func:`all_ours_groups` computes the ``ours`` group of every council from one context read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from wholeplace.errors import InputError
from wholeplace.hub.store import Store
from wholeplace.insight.peers import comparators as cmp
from wholeplace.insight.peers.context import ContextTable, CouncilContext, read_context
from wholeplace.insight.peers.settings import (
    KIND_RULES,
    OUTLIERS,
    VARIABLES,
    ComparatorSettings,
    ResolvedSettings,
    resolve_settings,
)
from wholeplace.places.queries import get_place

METHODS = ("ours", "cipfa", "region", "county", "custom")
AREA_NOTE = ("Density uses mySociety's area_km2 from the place register: approximate (whole km², "
             "provenance undocumented), not an ONS measurement.")
CIPFA_NOTE = ("Published CIPFA nearest-neighbour set as found in a public repository: CIPFA "
              "licenses its model, so the terms of reuse are uncertain; check them before "
              "publishing comparisons. The list is sorted by code, not by similarity, so it has no "
              "ranking. Codes are on mid-2021 geography.")


@dataclass
class Member:
    code: str
    name: str
    la_type: str
    rank: int | None = None
    distance: float | None = None
    reasons: str | None = None
    similar: list[dict] = field(default_factory=list)
    different: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ComparatorGroup:
    group_id: str
    method: str
    label: str
    description: str
    subject: dict
    members: list[Member]
    notes: list[str] = field(default_factory=list)

    def codes(self) -> list[str]:
        return [m.code for m in self.members]

    def to_dict(self) -> dict:
        return asdict(self)


def kind_of(la_type: str, rule: str) -> tuple[str, str]:
    return KIND_RULES[rule][la_type]


def basis_notes(c: CouncilContext, year: int) -> list[str]:
    """How a council's figures were obtained, where it was not a published value for its code."""
    notes = []
    if c.population_basis.startswith("sum of"):
        notes.append(f"{c.name}: population (mid-{year}) is the {c.population_basis}' "
                     "estimates, summed by wholeplace")
    if c.imd_basis == "lad23":
        notes.append(f"{c.name}: IoD2019 scores are a third-party re-aggregation to 2023 "
                     "boundaries (humaniverse), not official statistics")
    elif c.imd_basis and c.imd_basis.startswith("mean of"):
        notes.append(f"{c.name}: IoD2019 scores are the population-weighted {c.imd_basis}' "
                     "scores (derived by wholeplace; no official county summary is held)")
    return notes


def basis_short(c: CouncilContext) -> str | None:
    """The derivations behind a council's figures, in a few words (for reasons text)."""
    parts = []
    if c.population_basis.startswith("sum of"):
        parts.append(f"population summed from its {c.population_basis[7:]}")
    if c.imd_basis == "lad23":
        parts.append("IoD2019 scores re-aggregated to 2023 boundaries (unofficial)")
    elif c.imd_basis and c.imd_basis.startswith("mean of"):
        parts.append(f"IoD2019 scores a population-weighted mean of its {c.imd_basis[8:]}")
    return f"{c.name}'s " + " and ".join(parts) if parts else None


class KindModel:
    """The standardised variables of one kind of council in one universe."""

    def __init__(self, kind: str, label: str, councils: list[CouncilContext],
                 settings: ResolvedSettings, year: int):
        self.kind, self.label, self.year, self.settings = kind, label, year, settings
        self.councils = councils
        self.codes = [c.code for c in councils]
        self.index = {code: i for i, code in enumerate(self.codes)}
        names = settings.variables
        self.raw = [[cmp.council_values(c.values, c.area_km2)[v] for v in names]
                    for c in councils]
        scaled = [[cmp.transformed(v, x) for v, x in zip(names, row)] for row in self.raw]
        self.excluded = {c.code for c in councils if settings.exclude_outliers
                         and c.code in OUTLIERS}
        self.pool = [i for i, code in enumerate(self.codes) if code not in self.excluded]
        columns = [[scaled[i][j] for i in self.pool] for j in range(len(names))]
        self.scales = cmp.fit_scales(columns)
        self.z = cmp.standardise(scaled, self.scales)

    def describe(self, i: int, j: int, rank: int | None = None) -> Member:
        """Member ``j`` as compared with subject ``i``: distance, reasons and basis notes."""
        c = self.councils[j]
        s = self.settings
        d, _ = cmp.pair_distance(self.z[i], self.z[j], s.weights)
        member = Member(c.code, c.name, c.la_type, rank=rank,
                        distance=None if d is None else round(d, 4))
        if d is None:
            member.notes.append("Too few context variables in common to compare.")
            return member
        e = cmp.explain(s.variables, s.weights, self.raw[i], self.raw[j], self.z[i], self.z[j])
        member.similar = [asdict(x) for x in e.similar]
        member.different = [asdict(x) for x in e.different]
        member.notes = basis_notes(c, self.year)
        derived = [x for x in (basis_short(self.councils[i]), basis_short(c)) if x]
        member.reasons = e.text + ("" if not derived else
                                   " Derived figures: " + "; ".join(derived) + ".")
        return member

    def nearest(self, code: str) -> list[Member]:
        i = self.index[code]
        found = cmp.nearest(i, self.z, self.settings.weights, self.settings.k, self.codes,
                            self.pool)
        return [self.describe(i, j, rank) for rank, (j, _) in enumerate(found, start=1)]


def build_models(context: ContextTable, settings: ResolvedSettings) -> dict[str, KindModel]:
    """One :class:`KindModel` per kind of council in ``context``."""
    by_kind: dict[tuple[str, str], list[CouncilContext]] = {}
    for c in context.councils:
        by_kind.setdefault(kind_of(c.la_type, settings.kind_rule), []).append(c)
    return {kind: KindModel(kind, label, members, settings, context.year)
            for (kind, label), members in by_kind.items()}


def _subject(c: CouncilContext, rule: str) -> dict:
    kind, label = kind_of(c.la_type, rule)
    return {"code": c.code, "name": c.name, "la_type": c.la_type, "kind": kind,
            "kind_label": label, "region": c.region, "parent_county": c.parent_county}


def ours_group(model: KindModel, code: str) -> ComparatorGroup:
    """Our group for ``code`` from a built model (pure)."""
    s = model.settings
    c = model.councils[model.index[code]]
    weights = ", ".join(f"{VARIABLES[v].label} {w:.0%}" for v, w in zip(s.variables, s.weights))
    notes = [*basis_notes(c, model.year), AREA_NOTE]
    if code in OUTLIERS:
        notes.append(f"{c.name} is an outlier ({OUTLIERS[code]}): no council is really like "
                     "it, so these are the least unlike, and it is nobody else's comparator. "
                     "The published CIPFA sets give it no neighbours at all.")
    return ComparatorGroup(
        group_id=f"ours:{code}", method="ours",
        label=f"The {s.k} most similar {model.label} to {c.name}",
        description=(f"The {model.label} nearest to {c.name} by weighted Euclidean distance of "
                     f"z-scores (standardised across {len(model.pool)} {model.label}; population"
                     f" and density on a log scale). Weights: {weights}. Population: ONS "
                     f"mid-{model.year}; deprivation: IoD2019; council tax base: 2022. "
                     f"Universe: {s.universe}. A "
                     "variable missing for either council is left out and the weights "
                     "renormalised. Most similar first."),
        subject=_subject(c, s.kind_rule), members=model.nearest(code), notes=notes)


def all_ours_groups(context: ContextTable, settings: ComparatorSettings | dict | None = None
                    ) -> dict[str, ComparatorGroup]:
    """Our group for every council in ``context`` (pure: no store access)."""
    resolved = resolve_settings(settings)
    if (context.universe, context.year) != (resolved.universe, resolved.year):
        raise InputError(f"The context was read for universe {context.universe!r}, mid-"
                         f"{context.year}, but the settings ask for {resolved.universe!r}, mid-"
                         f"{resolved.year}: read the context with the same universe and year.")
    out = {}
    for model in build_models(context, resolved).values():
        for code in model.codes:
            out[code] = ours_group(model, code)
    return out


# -- the store-facing entry point ---------------------------------------------------------------
def comparator_group(store: Store, code: str, method: str = "ours",
                     settings: ComparatorSettings | dict | None = None,
                     members: list[str] | None = None) -> ComparatorGroup:
    """The comparator group of the council ``code`` by ``method`` (one of :data:`METHODS`).

    ``members`` is the list of codes for ``custom`` (and only for it). Raises NotFoundError for
    an unknown council and InputError for a bad method, setting or member list.
    """
    if method not in METHODS:
        raise InputError(f"Unknown comparator method {method!r}: choose one of "
                         f"{', '.join(METHODS)}.")
    if members is not None and method != "custom":
        raise InputError("A member list is only used by the 'custom' method; drop it or use "
                         "method='custom'.")
    s = resolve_settings(settings)
    place = get_place(store, code)
    universe = "lad2021" if method == "cipfa" else s.universe
    context = cached_context(store, universe, s.year)
    if method == "cipfa" and place["gss_code"] not in context.by_code():
        # A council created after mid-2021 (the 2023 unitaries): no published set.
        context = cached_context(store, s.universe, s.year)
        model, subject = _subject_model(context, place, s)
        return _listed_group(model, subject, "cipfa", [], context, store)
    model, subject = _subject_model(context, place, s)
    if method == "ours":
        return ours_group(model, subject.code)
    if method == "cipfa":
        codes = [r["neighbour_code"] for r in store.rows(
            "SELECT neighbour_code FROM neighbour_sets WHERE set_id = 'cipfa' AND area_code = ? "
            "ORDER BY neighbour_code", [subject.code])]
        return _listed_group(model, subject, "cipfa", codes, context, store)
    if method == "region":
        codes = [c for c in model.codes if c != subject.code and subject.region
                 and model.councils[model.index[c]].region == subject.region]
        return _listed_group(model, subject, "region", codes, context, store)
    if method == "county":
        if subject.tier != "lower":
            raise InputError(f"{subject.name} ({subject.code}) is not a shire district, so it "
                             "has no county group; use method 'region' or 'ours'.")
        codes = [c.code for c in context.councils if c.code != subject.code
                 and c.tier == "lower" and c.parent_county == subject.parent_county]
        return _listed_group(model, subject, "county", codes, context, store)
    return _listed_group(model, subject, "custom", _check_custom(store, subject, members),
                         context, store)


def _subject_model(context: ContextTable, place: dict, s: ResolvedSettings
                   ) -> tuple[KindModel, CouncilContext]:
    code = place["gss_code"]
    found = context.by_code().get(code)
    if found is None:
        if place["tier"] not in ("upper", "lower", "single"):
            raise InputError(f"{place['name']} ({code}) is a {place['la_type']}, not a council: "
                             "comparator groups are for councils.")
        other = "lad2021" if context.universe == "current" else "current"
        raise InputError(f"{place['name']} ({code}) is not a council in the "
                         f"{context.universe!r} universe (the councils of "
                         f"{'today' if context.universe == 'current' else 'mid-2021'}). Use "
                         f"universe={other!r} or the code of its successor.")
    models = cached_models(context, s)
    return models[kind_of(found.la_type, s.kind_rule)[0]], found


# -- caches: the context and the fitted models depend only on the hub's data --------------------
_CONTEXTS: dict[tuple, ContextTable] = {}
CACHE_SIZE = 16


def _remember(cache: dict, key: tuple, make):
    found = cache.get(key)
    if found is None:
        found = make()
        while len(cache) >= CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = found
    return found


def cached_context(store: Store, universe: str, year: int) -> ContextTable:
    """:func:`read_context`, remembered per hub file and data version (a load changes it)."""
    if store.path is None:
        return read_context(store, universe, year)
    key = (str(store.path), store.data_version(), universe, year)
    return _remember(_CONTEXTS, key, lambda: read_context(store, universe, year))


def cached_models(context: ContextTable, s: ResolvedSettings) -> dict[str, KindModel]:
    """:func:`build_models`, remembered on the context table for the same settings."""
    return _remember(context.fitted, (s,), lambda: build_models(context, s))


def _check_custom(store: Store, subject: CouncilContext, members: list[str] | None) -> list[str]:
    if not members:
        raise InputError("A custom group needs a list of council GSS codes, e.g. "
                         "['E07000009', 'E07000010'].")
    codes = list(dict.fromkeys(m.strip().upper() for m in members if m and m.strip()))
    known = {r["gss_code"]: r["tier"] for r in store.rows(
        "SELECT gss_code, tier FROM places WHERE list_contains(?, gss_code)", [codes])}
    unknown = [c for c in codes if c not in known]
    not_councils = [c for c in codes if c in known
                    and known[c] not in ("upper", "lower", "single")]
    problems = []
    if unknown:
        problems.append(f"not in the place register: {', '.join(unknown)}")
    if not_councils:
        problems.append(f"not councils (combined or strategic authorities): "
                        f"{', '.join(not_councils)}")
    if problems:
        raise InputError("The custom group has codes that cannot be used: "
                         + "; ".join(problems) + ". Give GSS codes of councils (search by "
                         "name to find a code).")
    return [c for c in codes if c != subject.code]


_LABELS = {
    "cipfa": ("CIPFA nearest neighbours of {name}", CIPFA_NOTE),
    "region": ("{kinds} in {region} (same region as {name})",
               ("The councils of the same kind as {name} in the same English region ({region}) "
               "in the {universe!r} universe, nearest by our context distance first.")),
    "county": ("The other districts of {county}",
               ("The other shire districts of the same county as {name} ({county}) in the "
               "{universe!r} universe, nearest by our context distance first.")),
    "custom": ("A custom group for {name}",
               ("Councils chosen by the user. Codes are checked against the place register; "
               "members of the same kind in the {universe!r} universe carry our context "
               "distance and reasons, nearest first.")),
}


def _listed_group(model: KindModel, subject: CouncilContext, method: str, codes: list[str],
                  context: ContextTable, store: Store) -> ComparatorGroup:
    """A group whose members are given; described with our distances where comparable."""
    i = model.index[subject.code]
    members = []
    for code in codes:
        if code in model.index and code not in model.excluded:
            members.append(model.describe(i, model.index[code]))
        else:
            members.append(_plain_member(store, code, context, model))
    members.sort(key=lambda m: (m.distance is None, m.distance or 0.0, m.name))
    county = context.by_code().get(subject.parent_county or "")
    fields = {"name": subject.name, "region": subject.region, "universe": context.universe,
              "kinds": model.label[:1].upper() + model.label[1:],
              "county": county.name if county else subject.parent_county}
    label, description = (t.format(**fields) for t in _LABELS[method])
    notes = [*basis_notes(subject, context.year)]
    if method == "cipfa" and not codes:
        notes.append(f"There is no published CIPFA set for {subject.name}: the sets are on "
                     "mid-2021 geography and list only the authority itself for the Isles of "
                     "Scilly and the City of London.")
    return ComparatorGroup(group_id=f"{method}:{subject.code}", method=method, label=label,
                           description=description, subject=_subject(subject, model.settings
                                                                     .kind_rule),
                           members=members, notes=notes)


def _plain_member(store: Store, code: str, context: ContextTable, model: KindModel) -> Member:
    found = context.by_code().get(code)
    if found is not None:
        name, la_type = found.name, found.la_type
    else:
        row = get_place(store, code)
        name, la_type = row["name"], row["la_type"]
    if code in model.excluded:
        why = f"{name} is an outlier ({OUTLIERS[code]}), so it is not scored."
    elif found is None:
        why = f"{name} is not a council in the {context.universe!r} universe, so it is not scored."
    else:
        why = f"{name} is not one of the {model.label}, so it is not scored against them."
    return Member(code, name, la_type, notes=[why])


# -- agreement with the published sets ----------------------------------------------------------
def cipfa_sets(store: Store) -> dict[str, set[str]]:
    """The published CIPFA sets (without the authority itself); empty sets are left out."""
    out: dict[str, set[str]] = {}
    for r in store.rows("SELECT area_code, neighbour_code FROM neighbour_sets "
                        "WHERE set_id = 'cipfa'"):
        out.setdefault(r["area_code"], set()).add(r["neighbour_code"])
    return out


def cipfa_overlap(groups: dict[str, ComparatorGroup], sets: dict[str, set[str]]) -> dict:
    """Mean of |ours ∩ cipfa| / |cipfa| over councils having both, overall and by kind.

    Also the overlap a RANDOM group of the same size drawn from the same pool would have on
    average (|cipfa ∩ pool| / |cipfa| x size / (pool - 1)), as the baseline to beat.
    """
    pools: dict[str, set[str]] = {}
    for g in groups.values():
        pools.setdefault(g.subject["kind"], set()).add(g.subject["code"])
    by_kind: dict[str, list[tuple[float, float]]] = {}
    for code, g in sorted(groups.items()):
        theirs = sets.get(code)
        if not theirs or not g.members:
            continue
        pool = pools[g.subject["kind"]] - {code} - set(OUTLIERS)
        ours = set(g.codes())
        random = len(theirs & pool) / len(theirs) * min(1.0, len(ours) / max(len(pool), 1))
        by_kind.setdefault(g.subject["kind"], []).append(
            (len(ours & theirs) / len(theirs), random))
    pairs = [p for v in by_kind.values() for p in v]

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else float("nan")
    return {
        "councils": len(pairs), "mean_overlap": mean([a for a, _ in pairs]),
        "random_expected": mean([b for _, b in pairs]),
        "by_kind": {k: {"councils": len(v), "mean_overlap": mean([a for a, _ in v]),
                        "random_expected": mean([b for _, b in v])}
                    for k, v in sorted(by_kind.items())},
    }

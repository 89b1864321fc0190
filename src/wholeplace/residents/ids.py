"""Stable resident ids: this run's clusters matched to the previous run's ids (pure).

A cluster keeps the previous id most of its records had. When records that had different ids now
form one cluster, the largest group's id is kept and the others are recorded as merged into it.
When records that shared an id now fall into several clusters, the cluster with most of them
keeps the id and the others get new ids, recorded as split from it. Ids whose records have all
gone (erased, past retention, no longer in the extract) are recorded as removed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

#: Marks a cluster's placeholder until the block of new ids is drawn (never a real id: those
#: start with R).
_PENDING = "\x00new:"


@dataclass(frozen=True)
class Event:
    kind: str  # merge | split | removed
    resident_id: str
    other_ids: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Assignment:
    ids: dict[str, str]  # record key -> resident id
    events: list[Event]
    new: int


def assign(clusters: Mapping[str, str], previous: Mapping[str, str],
           new_ids: Callable[[int], list[str]], full_run: bool = True) -> Assignment:
    """Resident ids for ``clusters`` (record key -> cluster id) given ``previous`` (record key ->
    resident id). ``full_run`` says the clusters cover every record, so ids absent from them
    are removed. ``new_ids(n)`` gives n fresh ids; it is called once, so a store can hand out
    the whole block in one statement."""
    members: dict[str, list[str]] = {}
    for key, cluster in clusters.items():
        members.setdefault(cluster, []).append(key)
    order = sorted(members, key=lambda c: (-len(members[c]), min(members[c])))
    claimed: dict[str, str] = {}  # previous id -> cluster that kept it
    ids: dict[str, str] = {}
    events: list[Event] = []
    new = 0
    for cluster in order:
        counts = Counter(previous[k] for k in members[cluster] if k in previous)
        ranked = sorted(counts, key=lambda rid: (-counts[rid], rid))
        keep = next((rid for rid in ranked if rid not in claimed), None)
        if keep is None:
            keep = f"{_PENDING}{new}"
            new += 1
            if ranked:
                events.append(Event("split", keep, (ranked[0],), (
                    f"{counts[ranked[0]]} record(s) of {ranked[0]} no longer link to the rest "
                    "of its records (no pair between them reaches the match threshold)")))
        claimed[keep] = cluster
        merged = tuple(rid for rid in ranked if rid != keep and rid not in claimed)
        for rid in merged:
            claimed[rid] = cluster
        if merged:
            events.append(Event("merge", keep, merged, (
                "records held under these ids now link to each other (a pair at or above the "
                "match threshold, a shared strong identifier or an accepted review)")))
        for key in members[cluster]:
            ids[key] = keep
    if new:
        fresh = new_ids(new)
        if len(fresh) != new or len(set(fresh)) != new:
            raise ValueError(f"asked for {new} new resident ids, got {len(set(fresh))} distinct")

        def real(rid: str) -> str:
            return fresh[int(rid[len(_PENDING):])] if rid.startswith(_PENDING) else rid

        ids = {key: real(rid) for key, rid in ids.items()}
        events = [Event(e.kind, real(e.resident_id), e.other_ids, e.reason) for e in events]
    if full_run:
        gone = sorted(set(previous.values()) - set(claimed))
        events += [Event("removed", rid, (), "none of its records is in this run (erased, past "
                         "its retention period or no longer in its source's extract)")
                   for rid in gone]
    return Assignment(ids, events, new)

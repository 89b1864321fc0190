"""String similarity as DuckDB computes it, for Splink's Spark backend (pure).

Splink's Spark jar (``uk.gov.moj.dash.linkage.JaroWinklerSimilarity``) counts half a
transposition where DuckDB's ``jaro_winkler_similarity`` (and Winkler's definition, with
``t`` the whole number of transposed pairs) rounds down: for ``cater``/``carter`` the jar gives
0.8756 and DuckDB 0.9022, either side of the surname comparison's 0.88 level. These functions
give DuckDB's values (to the last bit of a double at most: DuckDB sums the terms in another
order), so a model scores a pair at the same level on both backends. ``spark.py`` registers
them in place of the jar's.
"""

from __future__ import annotations


def jaro(s1: str | None, s2: str | None) -> float | None:
    """Jaro similarity: matches within half the longer length less one, transpositions
    halved and rounded down. None when either side is missing (SQL's NULL)."""
    if s1 is None or s2 is None:
        return None
    if not s1 or not s2:  # DuckDB: 0 when either is empty, both included
        return 0.0
    l1, l2 = len(s1), len(s2)
    window = max(max(l1, l2) // 2 - 1, 0)
    used1, used2 = [False] * l1, [False] * l2
    matches = 0
    for i, c in enumerate(s1):
        for j in range(max(0, i - window), min(l2, i + window + 1)):
            if not used2[j] and s2[j] == c:
                used1[i] = used2[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    out_of_order, k = 0, 0
    for i in range(l1):
        if used1[i]:
            while not used2[k]:
                k += 1
            out_of_order += s1[i] != s2[k]
            k += 1
    t = out_of_order // 2
    return (matches / l1 + matches / l2 + (matches - t) / matches) / 3.0


def jaro_winkler(s1: str | None, s2: str | None) -> float | None:
    """Jaro-Winkler: above 0.7, a common prefix of up to 4 characters adds 0.1 each of the
    remaining distance to 1."""
    sim = jaro(s1, s2)
    if sim is None or sim <= 0.7 or s1 is None or s2 is None:
        return sim
    prefix = 0
    for a, b in zip(s1[:4], s2[:4], strict=False):
        if a != b:
            break
        prefix += 1
    return sim + prefix * 0.1 * (1.0 - sim)


def damerau_levenshtein(a: str | None, b: str | None) -> float | None:
    """Unrestricted Damerau-Levenshtein distance (insertions, deletions, substitutions and
    transpositions of adjacent characters, Lowrance-Wagner), as DuckDB's."""
    if a is None or b is None:
        return None
    big = len(a) + len(b)
    d = [[0] * (len(b) + 2) for _ in range(len(a) + 2)]
    d[0][0] = big
    for i in range(len(a) + 1):
        d[i + 1][0], d[i + 1][1] = big, i
    for j in range(len(b) + 1):
        d[0][j + 1], d[1][j + 1] = big, j
    last: dict[str, int] = {}
    for i in range(1, len(a) + 1):
        seen = 0
        for j in range(1, len(b) + 1):
            i1, j1 = last.get(b[j - 1], 0), seen
            cost = 0 if a[i - 1] == b[j - 1] else 1
            if not cost:
                seen = j
            d[i + 1][j + 1] = min(d[i][j] + cost, d[i + 1][j] + 1, d[i][j + 1] + 1,
                                  d[i1][j1] + (i - i1 - 1) + 1 + (j - j1 - 1))
        last[a[i - 1]] = i
    return float(d[len(a) + 1][len(b) + 1])

"""Clustering the links of a run (pure): connected components at the match threshold."""

import pandas as pd

from wholeplace.residents.link import connected_components


def edges(*rows):
    return pd.DataFrame(list(rows), columns=["record_key_l", "record_key_r", "match_probability"])


def test_chains_join_and_weak_links_do_not():
    nodes = pd.Series(["e", "d", "c", "b", "a", "f"])
    clusters = connected_components(nodes, edges(("a", "b", 0.99), ("c", "b", 0.96),
                                                 ("d", "e", 0.97), ("c", "d", 0.94),
                                                 ("f", "zz", 1.0)), 0.95)
    assert clusters == {"a": "a", "b": "a", "c": "a", "d": "d", "e": "d", "f": "f"}


def test_threshold_is_inclusive_and_ids_are_the_smallest_key():
    nodes = pd.Series(["k2", "k1", "k3"])
    at = connected_components(nodes, edges(("k3", "k2", 0.95)), 0.95)
    assert at == {"k1": "k1", "k2": "k2", "k3": "k2"}
    assert connected_components(nodes, edges(("k3", "k2", 0.9499)), 0.95) == {
        "k1": "k1", "k2": "k2", "k3": "k3"}
    assert connected_components(nodes, edges(), 0.95) == {"k1": "k1", "k2": "k2", "k3": "k3"}

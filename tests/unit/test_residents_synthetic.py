"""The SYNTHETIC population generator: seeded, labelled, with the truth and the errors."""

from wholeplace.residents import standardise as std
from wholeplace.residents import synthetic


def test_seeded_and_labelled():
    one = synthetic.generate(200, seed=7)
    two = synthetic.generate(200, seed=7)
    assert one.extracts == two.extracts
    assert synthetic.generate(200, seed=8).extracts != one.extracts
    for system, rows in one.extracts.items():
        assert rows, system
        for row in rows:
            assert row["synthetic"] == "SYNTHETIC"
            assert list(row.values())[1].startswith("SYN-")
    assert len(one.truth) == one.record_count()


def test_fake_postcodes_uprns_and_test_nhs_numbers():
    pop = synthetic.generate(300, seed=2)
    for hh in pop.households:
        assert hh.address.postcode.startswith("QZ")  # no real postcode area starts with Q
        assert std.postcode(hh.address.postcode) == hh.address.postcode
        assert hh.address.uprn.startswith("99")
        for p in hh.people:
            assert p.nhs_number.startswith("999")
            assert std.nhs_number(p.nhs_number) == p.nhs_number


def test_realistic_errors_are_present():
    pop = synthetic.generate(1500, seed=3)
    ct = pop.extracts["council_tax"]
    missing = sum(1 for r in ct if not r["date_of_birth"]) / len(ct)
    assert 0.75 < missing < 0.95
    persons = {}
    duplicates = 0
    for (system, _), person in pop.truth.items():
        duplicates += (system, person) in persons
        persons[(system, person)] = True
    assert duplicates > 0
    shared = [hh for hh in pop.households
              if len({p.surname for p in hh.people}) < len(hh.people)]
    assert shared  # people who share a surname and an address
    changed = [p for hh in pop.households for p in hh.people if p.birth_surname != p.surname]
    assert changed  # married-name changes
    assert any(p.previous for hh in pop.households for p in hh.people)  # moves


def test_true_pairs():
    pop = synthetic.generate(100, seed=1)
    pairs = pop.true_pairs()
    for left, right in pairs:
        ls, lr = left.split(":")
        rs, rr = right.split(":")
        assert pop.truth[(ls, lr)] == pop.truth[(rs, rr)]


def test_typo_is_one_edit():
    import random

    import jellyfish

    rng = random.Random(1)
    for _ in range(200):
        changed = synthetic.typo(rng, "margaret")
        assert jellyfish.damerau_levenshtein_distance("margaret", changed) <= 1

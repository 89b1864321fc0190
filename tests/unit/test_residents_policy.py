"""The residents actions in the one policy function: role, organisation and agreement."""

from wholeplace.access.actor import Actor, operator_actor
from wholeplace.access.policy import Org, ResidentsSourceRef, allowed

CAM, SC, ICB = "E07000008", "E07000012", "cp-icb"


def person(org, *roles):
    return Actor(id=f"{roles[0]}@{org}", display_name="x", acting_for=org,
                 roles={org: frozenset(roles)})


OWN = ResidentsSourceRef(owner=CAM, shared_with=frozenset({CAM, ICB}))
SHARED_WITH_SC = ResidentsSourceRef(owner=CAM, shared_with=frozenset({CAM, SC}))
LAPSED = ResidentsSourceRef(owner=CAM)


def test_a_caseworker_sees_their_own_councils_sources_and_shared_ones_only():
    cam, sc = person(CAM, "caseworker"), person(SC, "caseworker")
    assert allowed(cam, "residents.lookup", OWN)
    assert allowed(cam, "residents.lookup", LAPSED)
    assert not allowed(sc, "residents.lookup", OWN)  # no agreement with South Cambs
    assert allowed(sc, "residents.lookup", SHARED_WITH_SC)
    assert not allowed(sc, "residents.lookup", LAPSED)
    assert allowed(cam, "residents.lookup", Org(CAM)) and not allowed(cam, "residents.lookup",
                                                                       Org(SC))


def test_each_action_needs_its_role():
    for action, role in (("residents.lookup", "caseworker"),
                         ("residents.review", "linkage_reviewer"),
                         ("residents.aggregate", "analyst"),
                         ("residents.register", "data_protection_officer")):
        assert allowed(person(CAM, role), action, Org(CAM)), action
        assert not allowed(person(CAM, "viewer"), action, Org(CAM)), action
        others = {"caseworker", "linkage_reviewer", "analyst", "data_protection_officer"} - {role}
        assert not allowed(person(CAM, *others), action, Org(CAM)), action
    assert not allowed(None, "residents.lookup", Org(CAM))
    assert not allowed(person(CAM, "caseworker"), "residents.anything", Org(CAM))


def test_registering_needs_the_owners_dpo_and_an_agreement_in_force():
    dpo = person(CAM, "data_protection_officer")
    assert allowed(dpo, "residents.register", OWN)
    assert not allowed(dpo, "residents.register", LAPSED)
    assert not allowed(person(SC, "data_protection_officer"), "residents.register",
                       SHARED_WITH_SC)


def test_the_command_line_operator_runs_the_index_but_never_reads_a_person():
    op = operator_actor()
    assert allowed(op, "residents.link")
    for action in ("residents.lookup", "residents.review", "residents.aggregate",
                   "residents.register"):
        assert not allowed(op, action, OWN)


def test_keeping_comparison_columns_is_the_owners_dpos_decision_alone():
    dpo, sc_dpo = person(CAM, "data_protection_officer"), person(SC, "data_protection_officer")
    assert allowed(dpo, "residents.retain_comparisons", OWN)
    assert allowed(dpo, "residents.retain_comparisons", LAPSED)  # may still turn it off
    assert not allowed(sc_dpo, "residents.retain_comparisons", SHARED_WITH_SC)  # a party only
    for other in ("caseworker", "linkage_reviewer", "analyst"):
        assert not allowed(person(CAM, other), "residents.retain_comparisons", OWN), other
    assert not allowed(operator_actor(), "residents.retain_comparisons", OWN)

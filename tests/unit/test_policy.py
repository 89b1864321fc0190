"""The one policy function: roles apply only in the organisation acted for."""

from __future__ import annotations

from datetime import date

from wholeplace.access.actor import Actor, operator_actor
from wholeplace.access.policy import (
    AgreementRef,
    DatasetRef,
    Org,
    agreement_in_force,
    allowed,
)

ANN = Actor("ann@example.org", "Ann", 1, "E07000008",
            {"E07000008": frozenset({"data_protection_officer"}),
             "cp-icb": frozenset({"analyst"})})
VIEWER = Actor("vic@example.org", "Vic", 2, "E07000008", {"E07000008": frozenset({"viewer"})})
AWAITING = AgreementRef(frozenset({"E07000008", "cp-icb"}), "awaiting_approval")


def test_anonymous_may_only_read_public_things():
    assert allowed(None, "page.view")
    assert allowed(None, "agreement.list")
    assert allowed(None, "dataset.read", DatasetRef("E07000008", private=False))
    for action in ("agreement.view", "audit.view", "session.sign_out", "dataset.upload",
                   "org.add", "no.such.action"):
        assert not allowed(None, action, Org("E07000008"))
    assert not allowed(None, "dataset.read", DatasetRef("E07000008", private=True))


def test_roles_count_only_in_the_organisation_acted_for():
    assert allowed(ANN, "audit.view", Org("E07000008"))
    assert not allowed(ANN, "audit.view", Org("cp-icb"))
    assert not allowed(ANN, "dataset.upload", Org("cp-icb"))  # analyst there, not acting for it
    assert allowed(ANN.acting("cp-icb"), "dataset.upload", Org("cp-icb"))
    assert not allowed(ANN.acting("cp-icb"), "audit.view", Org("E07000008"))
    assert not allowed(ANN.acting(None), "audit.view", Org("E07000008"))


def test_agreements_parties_see_detail_and_their_dpo_approves():
    assert allowed(ANN, "agreement.view", AWAITING)
    assert allowed(ANN, "agreement.approve", AWAITING)
    assert not allowed(VIEWER, "agreement.approve", AWAITING)
    assert allowed(VIEWER, "agreement.view", AWAITING)
    outsider = Actor("x@example.org", "X", 3, "E07000012", {"E07000012": frozenset({"admin"})})
    assert not allowed(outsider, "agreement.view", AWAITING)
    active = AgreementRef(AWAITING.parties, "active")
    assert not allowed(ANN, "agreement.approve", active)
    assert allowed(ANN, "agreement.revoke", active)
    assert not allowed(ANN, "agreement.revoke", AgreementRef(AWAITING.parties, "revoked"))


def test_a_dpo_drafts_agreements_for_the_organisation_acted_for_and_submits_drafts():
    assert allowed(ANN, "agreement.create", Org("E07000008"))
    assert not allowed(ANN, "agreement.create", Org("cp-icb"))  # not acting for it
    assert not allowed(ANN.acting("cp-icb"), "agreement.create", Org("cp-icb"))  # analyst
    assert not allowed(VIEWER, "agreement.create", Org("E07000008"))
    assert not allowed(None, "agreement.create", Org("E07000008"))
    assert not allowed(ANN, "agreement.create", None)
    draft = AgreementRef(AWAITING.parties, "draft")
    assert allowed(ANN, "agreement.submit", draft)
    assert not allowed(ANN, "agreement.submit", AWAITING)
    assert not allowed(VIEWER, "agreement.submit", draft)
    assert not allowed(ANN, "agreement.submit", AgreementRef(frozenset({"E07000012"}), "draft"))


def test_private_data_needs_a_data_role_in_the_owner_or_a_party_acted_for():
    private = DatasetRef("E07000008", private=True, shared_with=frozenset({"cp-icb"}))
    assert allowed(ANN, "dataset.read", private)
    assert not allowed(VIEWER, "dataset.read", private)
    assert allowed(ANN.acting("cp-icb"), "dataset.read", private)
    assert not allowed(ANN.acting("cp-icb"), "dataset.read",
                       DatasetRef("E07000008", private=True))


def test_subregion_overview_for_the_hub_and_its_councils():
    hub = Org("cpca-hub", serves=frozenset({"E07000008"}))
    assert allowed(ANN, "subregion.view", hub)
    assert not allowed(ANN, "subregion.view", Org("other-hub"))


def test_the_operator_administers_but_is_not_a_member():
    op = operator_actor()
    assert op.id.startswith("cli:")
    assert allowed(op, "org.add") and allowed(op, "role.grant") and allowed(op, "audit.verify")
    assert not allowed(op, "dataset.read", DatasetRef("E07000008", private=True))


def test_an_agreement_is_in_force_only_while_active_and_within_its_dates():
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert agreement_in_force("active", start, end, date(2026, 6, 1))
    assert not agreement_in_force("active", start, end, date(2027, 1, 1))
    assert not agreement_in_force("active", start, end, date(2025, 12, 31))
    for status in ("draft", "awaiting_approval", "revoked"):
        assert not agreement_in_force(status, start, end, date(2026, 6, 1))


def test_administration_follows_the_organisation_and_its_hub():
    from wholeplace.access.policy import AdminTarget

    admin = Actor("a@example.org", "A", 3, "E07000008", {"E07000008": frozenset({"admin"})})
    hub = Actor("h@example.org", "H", 4, "cpca-hub", {"cpca-hub": frozenset({"hub_admin"})})
    cambridge = AdminTarget((("E07000008", frozenset({"cpca-hub"})),))
    icb = AdminTarget((("cp-icb", frozenset()),))
    shared = AdminTarget((("E07000008", frozenset({"cpca-hub"})), ("cp-icb", frozenset())))
    for action in ("admin.people.view", "admin.user.add", "admin.role.grant",
                   "admin.user.disable", "admin.user.reset_link", "admin.role.revoke"):
        assert allowed(admin, action, cambridge) and allowed(hub, action, cambridge)
        assert not allowed(admin, action, icb) and not allowed(hub, action, icb)
        assert not allowed(admin, action, shared)  # a person also in another organisation
        assert not allowed(VIEWER, action, cambridge) and not allowed(None, action, cambridge)
        assert not allowed(ANN, action, cambridge)  # a DPO is not an administrator
        assert not allowed(admin.acting(None), action, cambridge)
    assert not allowed(admin, "admin.role.grant", AdminTarget(cambridge.orgs, "hub_admin"))
    assert allowed(admin, "admin.org.list") and not allowed(admin, "admin.org.add")
    assert allowed(hub, "admin.org.add") and not allowed(VIEWER, "admin.org.list")
    assert not allowed(operator_actor(), "admin.people.view", cambridge)  # the CLI, not web


def test_consultations_are_run_by_their_own_councils_officer_or_admin():
    officer = Actor("co@example.org", "Co", 3, "E06000031",
                    {"E06000031": frozenset({"consultation_officer"}),
                     "E07000008": frozenset({"viewer"})})
    admin = Actor("ad@example.org", "Ad", 4, "E06000031", {"E06000031": frozenset({"admin"})})
    for action in ("consult.manage", "consult.results"):
        assert allowed(officer, action, Org("E06000031"))
        assert allowed(admin, action, Org("E06000031"))
        assert not allowed(officer, action, Org("E07000008"))  # another council
        assert not allowed(officer.acting("E07000008"), action, Org("E07000008"))  # a viewer
        assert not allowed(ANN, action, Org("E07000008"))  # a DPO is not an officer
        assert not allowed(None, action, Org("E06000031"))
        assert not allowed(officer, action, None)
    assert not allowed(officer, "consult.no_such_action", Org("E06000031"))
    assert allowed(None, "consult.respond") and allowed(None, "consult.preview")

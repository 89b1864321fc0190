"""The one place that decides who may do what: ``allowed(actor, action, resource)``.

Every check in the web app and the CLI asks this function (Datasette's shape: actor, action,
resource). Route handlers never test roles themselves. Roles apply only in the organisation the
person acts for; the command-line operator may administer everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from wholeplace.access.actor import Actor

#: Roles that see their organisation's private data and data shared with it.
DATA_ROLES = frozenset({"analyst", "finance_officer", "consultation_officer",
                        "data_protection_officer", "admin", "hub_admin"})
DPO = frozenset({"data_protection_officer"})
ADMINS = frozenset({"admin", "hub_admin"})


@dataclass(frozen=True)
class Org:
    """An organisation as a resource; for a subregional hub, the council codes it serves."""

    code: str
    serves: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class AgreementRef:
    """An agreement as a resource: its parties and effective status."""

    parties: frozenset[str]
    status: str = "draft"


@dataclass(frozen=True)
class DatasetRef:
    """A dataset as a resource: who owns it, whether it is private, who it is shared with."""

    owner: str | None
    private: bool
    shared_with: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class AdminTarget:
    """What an administrator would change: each organisation concerned (the page's, and for a
    person every organisation they hold a role in) with the hubs that serve it, and the role
    granted or revoked, if any."""

    orgs: tuple[tuple[str, frozenset[str]], ...]
    role: str | None = None


@dataclass(frozen=True)
class PlanRef:
    """A stored plan as a resource: its owner, each party organisation's plan partners, and
    (for ``plan.edit``) what a save touches: partner ids, or ``PLAN_WIDE`` for the rest."""

    owner: str
    partners: dict[str, frozenset[str]] = field(default_factory=dict)
    touched: frozenset[str] = field(default_factory=frozenset)


#: What a plan save touches outside any one partner (assumptions, scenarios, the title).
PLAN_WIDE = "*plan"
PLAN_EDITORS = frozenset({"finance_officer", "admin"})


@dataclass(frozen=True)
class ResidentsSourceRef:
    """A source of the residents index as a resource: the organisation that registered it and
    the parties of the agreement it is held under while that agreement is in force (none when
    it is not)."""

    owner: str
    shared_with: frozenset[str] = field(default_factory=frozenset)


Resource = Org | AgreementRef | DatasetRef | AdminTarget | PlanRef | ResidentsSourceRef | None

#: Actions anyone may take, signed in or not.
PUBLIC_ACTIONS = frozenset({"page.view", "agreement.list", "session.sign_in",
                            "consult.preview",
                            "consult.respond"})

#: Actions any signed-in person may take.
SIGNED_IN_ACTIONS = frozenset({"session.sign_out", "session.choose_org"})

#: Actions only the command-line operator takes (creating organisations, people, roles).
OPERATOR_ACTIONS = frozenset({"org.add", "org.sync", "org.list", "user.add", "user.list",
                              "user.disable", "user.reset_link", "role.grant", "role.revoke",
                              "agreement.add", "audit.verify"})


def _acts_for(actor: Actor, code: str) -> bool:
    return actor.acting_for == code and bool(actor.roles_here())


def _has(actor: Actor, roles: frozenset[str]) -> bool:
    return bool(actor.roles_here() & roles)


def _agreement(actor: Actor, action: str, resource: Resource) -> bool:
    if not isinstance(resource, AgreementRef) or actor.acting_for not in resource.parties:
        return False
    if action == "agreement.view":
        return bool(actor.roles_here())
    if action == "agreement.approve":
        return _has(actor, DPO) and resource.status == "awaiting_approval"
    if action == "agreement.submit":
        return _has(actor, DPO) and resource.status == "draft"
    if action == "agreement.revoke":
        return _has(actor, DPO) and resource.status in {"awaiting_approval", "active"}
    return False


def _creates_agreement(actor: Actor, resource: Resource) -> bool:
    """A data protection officer drafts an agreement for the organisation they act for (the
    form makes that organisation a party)."""
    return isinstance(resource, Org) and _acts_for(actor, resource.code) and _has(actor, DPO)


def _dataset(actor: Actor | None, action: str, resource: Resource) -> bool:
    if not isinstance(resource, DatasetRef):
        return False
    if action == "dataset.read" and not resource.private:
        return True
    if actor is None or actor.acting_for is None or not _has(actor, DATA_ROLES):
        return False
    if action == "dataset.read":
        return actor.acting_for == resource.owner or actor.acting_for in resource.shared_with
    return action == "dataset.publish" and actor.acting_for == resource.owner \
        and _has(actor, frozenset({"analyst", "admin"}))


def allowed(actor: Actor | None, action: str, resource: Resource = None) -> bool:
    """May ``actor`` (None: anonymous) take ``action`` on ``resource``? Unknown actions: no."""
    if action in PUBLIC_ACTIONS:
        return True
    if action in {"dataset.read", "dataset.publish"}:
        return _dataset(actor, action, resource)
    if actor is None:
        return False
    if action.startswith("residents."):
        return _residents(actor, action, resource)
    if actor.operator:
        return action in OPERATOR_ACTIONS or action.startswith(("agreement.", "audit."))
    if action in SIGNED_IN_ACTIONS:
        return True
    if action == "agreement.create":
        return _creates_agreement(actor, resource)
    if action.startswith("agreement."):
        return _agreement(actor, action, resource)
    if action in {"audit.view", "audit.export"}:
        return isinstance(resource, Org) and _acts_for(actor, resource.code) \
            and _has(actor, DPO)
    if action == "dataset.upload":
        return isinstance(resource, Org) and _acts_for(actor, resource.code) \
            and _has(actor, frozenset({"analyst", "admin"}))
    if action.startswith("admin."):
        return _admin(actor, action, resource)
    if action.startswith("upload."):
        return _upload(actor, action, resource)
    if action.startswith("plan."):
        return _plan(actor, action, resource)
    if action == "subregion.view":
        return isinstance(resource, Org) and _sees_subregion(actor, resource)
    if action.startswith("consult."):
        return _consult(actor, action, resource)
    return False


def _upload(actor: Actor, action: str, resource: Resource) -> bool:
    """The list of an organisation's own uploads: its people who see its private data."""
    return action == "upload.list" and isinstance(resource, Org) \
        and _acts_for(actor, resource.code) and _has(actor, DATA_ROLES)


#: Roles that run a consultation (set up, publish, close, paper responses, moderation,
#: results and exports) for their own organisation.
CONSULT_ROLES = frozenset({"consultation_officer", "admin"})


def _consult(actor: Actor, action: str, resource: Resource) -> bool:
    """``consult.manage`` and ``consult.results``: the consultation's organisation's
    consultation officer or admin. The resident's actions are public (PUBLIC_ACTIONS)."""
    if action not in {"consult.manage", "consult.results"} or not isinstance(resource, Org):
        return False
    return _acts_for(actor, resource.code) and _has(actor, CONSULT_ROLES)


def _plan(actor: Actor, action: str, resource: Resource) -> bool:
    """Plans: everyone party to a plan sees the whole; a finance officer edits only the
    partners their organisation answers for (the owner's also the plan-wide parts)."""
    if action == "plan.list":
        return actor.acting_for is not None and bool(actor.roles_here())
    if action == "plan.create":
        return isinstance(resource, Org) and _acts_for(actor, resource.code) \
            and _has(actor, PLAN_EDITORS)
    if not isinstance(resource, PlanRef) or actor.acting_for is None \
            or not actor.roles_here():
        return False
    party = actor.acting_for == resource.owner or actor.acting_for in resource.partners
    if action == "plan.view":
        return party
    if action == "plan.edit":
        if not party or not _has(actor, PLAN_EDITORS):
            return False
        mine = set(resource.partners.get(actor.acting_for, frozenset()))
        if actor.acting_for == resource.owner:
            mine.add(PLAN_WIDE)
        return resource.touched <= mine
    return False


def _sees_subregion(actor: Actor, hub: Org) -> bool:
    """A hub's overview: its own people, and people of the councils it serves."""
    if actor.acting_for is None or not actor.roles_here():
        return False
    return actor.acting_for == hub.code or actor.acting_for in hub.serves


def agreement_in_force(status: str, start: date, end: date, today: date) -> bool:
    """Access follows an agreement from when it is active until its end date or revocation."""
    return status == "active" and start <= today <= end


#: Roles that administer the organisation acted for; a hub's hub_admin also administers the
#: organisations the hub serves.
HUB_ADMIN = frozenset({"hub_admin"})


def _administers(actor: Actor, code: str, hubs: frozenset[str]) -> bool:
    if actor.acting_for == code:
        return _has(actor, ADMINS)
    return actor.acting_for in hubs and _has(actor, HUB_ADMIN)


def _admin(actor: Actor, action: str, resource: Resource) -> bool:
    """Web administration: organisations (a hub administrator adds them), and the people and
    roles of each organisation its administrators (or its hub's) manage. A change to a person
    needs every organisation they belong to administered by the actor, so no administrator
    reaches into another organisation through a shared account."""
    if action == "admin.org.list":
        return _has(actor, ADMINS)
    if action == "admin.org.add":
        return _has(actor, HUB_ADMIN)
    if action not in ADMIN_ORG_ACTIONS or not isinstance(resource, AdminTarget) \
            or not resource.orgs:
        return False
    if resource.role == "hub_admin" and not _has(actor, HUB_ADMIN):
        return False
    return all(_administers(actor, code, hubs) for code, hubs in resource.orgs)


#: Administration of one organisation's people (an AdminTarget names it).
ADMIN_ORG_ACTIONS = frozenset({"admin.people.view", "admin.user.add", "admin.user.disable",
                               "admin.user.reset_link", "admin.role.grant", "admin.role.revoke"})


#: The residents index: the role each action needs in the organisation acted for.
RESIDENTS_ROLES = {
    "residents.lookup": frozenset({"caseworker"}),
    "residents.review": frozenset({"linkage_reviewer"}),
    "residents.aggregate": frozenset({"analyst"}),
    "residents.register": DPO,
    "residents.erase": DPO,
    "residents.link": DPO,
    "residents.retain_comparisons": DPO,
}
#: What the command-line operator may do to the index (run it), never read a person.
RESIDENTS_OPERATOR = frozenset({"residents.link"})


def _residents(actor: Actor, action: str, resource: Resource) -> bool:
    """Access follows role and agreement: the role the action needs, in an organisation that
    registered the source or is a party to its agreement in force. Registering needs the
    registering organisation's own DPO and an agreement in force it is a party to."""
    if actor.operator:
        return action in RESIDENTS_OPERATOR
    roles = RESIDENTS_ROLES.get(action)
    if roles is None or actor.acting_for is None or not _has(actor, roles):
        return False
    if isinstance(resource, Org):
        return actor.acting_for == resource.code
    if not isinstance(resource, ResidentsSourceRef):
        return False
    if action == "residents.register":
        return actor.acting_for == resource.owner and resource.owner in resource.shared_with
    if action in ("residents.erase", "residents.link", "residents.retain_comparisons"):
        return actor.acting_for == resource.owner
    return actor.acting_for == resource.owner or actor.acting_for in resource.shared_with

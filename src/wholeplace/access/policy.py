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
class ResidentsSourceRef:
    """A source of the residents index as a resource: the organisation that registered it and
    the parties of the agreement it is held under while that agreement is in force (none when
    it is not)."""

    owner: str
    shared_with: frozenset[str] = field(default_factory=frozenset)


Resource = Org | AgreementRef | DatasetRef | ResidentsSourceRef | None

#: Actions anyone may take, signed in or not.
PUBLIC_ACTIONS = frozenset({"page.view", "agreement.list", "session.sign_in",
                            "consult.preview"})

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
    if action == "agreement.revoke":
        return _has(actor, DPO) and resource.status in {"awaiting_approval", "active"}
    return False


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
    if action.startswith("agreement."):
        return _agreement(actor, action, resource)
    if action in {"audit.view", "audit.export"}:
        return isinstance(resource, Org) and _acts_for(actor, resource.code) \
            and _has(actor, DPO)
    if action == "dataset.upload":
        return isinstance(resource, Org) and _acts_for(actor, resource.code) \
            and _has(actor, frozenset({"analyst", "admin"}))
    if action == "subregion.view":
        return isinstance(resource, Org) and _sees_subregion(actor, resource)
    return False


def _sees_subregion(actor: Actor, hub: Org) -> bool:
    """A hub's overview: its own people, and people of the councils it serves."""
    if actor.acting_for is None or not actor.roles_here():
        return False
    return actor.acting_for == hub.code or actor.acting_for in hub.serves


def agreement_in_force(status: str, start: date, end: date, today: date) -> bool:
    """Access follows an agreement from when it is active until its end date or revocation."""
    return status == "active" and start <= today <= end


#: The residents index: the role each action needs in the organisation acted for.
RESIDENTS_ROLES = {
    "residents.lookup": frozenset({"caseworker"}),
    "residents.review": frozenset({"linkage_reviewer"}),
    "residents.aggregate": frozenset({"analyst"}),
    "residents.register": DPO,
    "residents.erase": DPO,
    "residents.link": DPO,
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
    if action in ("residents.erase", "residents.link"):
        return actor.acting_for == resource.owner
    return actor.acting_for == resource.owner or actor.acting_for in resource.shared_with

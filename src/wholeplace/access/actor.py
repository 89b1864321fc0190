"""Who is asking: an :class:`Actor` (a signed-in person acting for one organisation, or the
local operator at the command line). ``None`` stands for an anonymous visitor."""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """A person's identity and roles, resolved once per request (or per CLI command).

    ``roles`` maps each organisation code the person belongs to onto their roles there;
    ``acting_for`` is the one they chose to act for (roles elsewhere do not apply).
    """

    id: str
    display_name: str
    user_id: int | None = None
    acting_for: str | None = None
    roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    operator: bool = False
    demonstration: bool = False

    def roles_here(self) -> frozenset[str]:
        """The roles that apply now: those in the organisation acted for."""
        if self.acting_for is None:
            return frozenset()
        return self.roles.get(self.acting_for, frozenset())

    def organisations(self) -> list[str]:
        return sorted(self.roles)

    def acting(self, code: str | None) -> Actor:
        return Actor(self.id, self.display_name, self.user_id, code, self.roles, self.operator,
                     self.demonstration)


def operator_actor() -> Actor:
    """The person at the command line on the server: may administer everything (and is
    audited as ``cli:<login name>``)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(id=f"cli:{name}", display_name=f"command line ({name})", operator=True)

"""Demonstration organisations and accounts, clearly marked, for trying the service locally.

A subregional hub (marked as a demonstration) serving two real councils from the register, and
one account per role. Every account is flagged ``demonstration``: its shared password is
accepted only when ``WHOLEPLACE_ENV`` is ``development`` or ``demo`` (see signin.authenticate).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from wholeplace.access import memberships, organisations, users
from wholeplace.errors import InputError

#: The password of every demonstration account; refused outside development and demo.
DEMO_PASSWORD = "demonstration only"
HUB_CODE = "demo-hub"
#: The two councils the demonstration hub serves (both in the place register).
COUNCILS = ("E07000008", "E07000012")
#: The council of the demonstration budget consultation (wholeplace consult demo).
PETERBOROUGH = "E06000031"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    org: str
    role: str


ACCOUNTS = (
    DemoAccount("hub-admin@demo.invalid", "Demonstration hub administrator", HUB_CODE,
                "hub_admin"),
    DemoAccount("analyst.cambridge@demo.invalid", "Demonstration analyst (Cambridge)",
                COUNCILS[0], "analyst"),
    DemoAccount("dpo.cambridge@demo.invalid", "Demonstration DPO (Cambridge)", COUNCILS[0],
                "data_protection_officer"),
    DemoAccount("analyst.southcambs@demo.invalid",
                "Demonstration analyst (South Cambridgeshire)", COUNCILS[1], "analyst"),
    DemoAccount("dpo.southcambs@demo.invalid", "Demonstration DPO (South Cambridgeshire)",
                COUNCILS[1], "data_protection_officer"),
    DemoAccount("consult.peterborough@demo.invalid",
                "Demonstration consultation officer (Peterborough)", PETERBOROUGH,
                "consultation_officer"),
)


def create(session: Session) -> list[DemoAccount]:
    """Create what is missing (idempotent); return every demonstration account."""
    missing = [c for c in (*COUNCILS, PETERBOROUGH) if organisations.find(session, c) is None]
    if missing:
        raise InputError(f"The councils {', '.join(missing)} are not organisations yet; run "
                         "'wholeplace admin org sync' (after 'wholeplace load') first.")
    if organisations.find(session, HUB_CODE) is None:
        organisations.add(session, HUB_CODE, "Demonstration subregional hub", "hub", COUNCILS,
                          demonstration=True)
    for account in ACCOUNTS:
        user = users.find(session, account.email)
        if user is None:
            user = users.add(session, account.email, account.name, DEMO_PASSWORD,
                             demonstration=True)
        memberships.grant(session, user, organisations.get(session, account.org), account.role)
    return list(ACCOUNTS)

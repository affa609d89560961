"""The demo's users, planned without touching the database: one login per role, and the
accounts that report for everyone else.

``plan_accounts`` is pure: given the register and the demo usernames already taken, it
gives the logins to create (a taken one is left as it was), the accounts that report for
the other clinics, one per region branch and per private provider (they cannot sign in),
who reports for each clinic and who decides the demo's reports. ``writer`` writes them.
"""

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _

from clinics.demo.register import ClinicPlan, RegisterPlan
from clinics.models import Role
from requirements.vocabulary import ClinicKind

DEMO_PASSWORD = "demo-losen-2026"
DEMO_USERNAMES = ("admin", "granskare", "rapportor", "samordnare", "lasare")
# Who decides the demo's reports when "granskare" was taken.
FALLBACK_REVIEWER = "demo-granskning"

_REGION_UNITS = {
    "vardcentralen-halland": "Vårdcentralen Halland",
    "folktandvarden": "Folktandvården Halland",
    "hallands-sjukhus": "Hallands sjukhus",
    "psykiatri-halland": "Psykiatri Halland",
    "regionkontoret": "Regionkontoret",
}


@dataclass(frozen=True)
class DemoLogin:
    """One of the demo's logins, which share ``DEMO_PASSWORD``."""

    username: str
    role: str
    scope: str  # whom it reports for or what it sees, in words
    created: bool  # False: the username was taken, so that account was left as it was
    clinic_hsa_ids: tuple[str, ...] = ()
    provider_org_nrs: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccountPlan:
    """An account without a password: it reports for a region branch or a private
    provider (``unit``), or decides the demo's reports (no unit)."""

    username: str
    role: str
    last_name: str = ""
    unit: str = ""


@dataclass(frozen=True)
class AccountsPlan:
    logins: tuple[DemoLogin, ...]
    accounts: tuple[AccountPlan, ...]
    reviewer: str  # the username of who decides the demo's reports
    # Who reports for a clinic: its own login by HSA-id, else its unit's account.
    by_hsa_id: dict[str, str]
    by_unit: dict[str, str]
    # (username, HSA-id) and (username, organisation number) of the accounts' links.
    clinic_links: tuple[tuple[str, str], ...]
    provider_links: tuple[tuple[str, str], ...]

    def reporter_for(self, clinic: ClinicPlan) -> str:
        return self.by_hsa_id.get(clinic.hsa_id) or self.by_unit[clinic.reporting_unit]


def _account_name(unit: str) -> str:
    return f"demo-{unit.replace('-', '') if unit[0].isdigit() else unit}"


def plan_accounts(plan: RegisterPlan, taken: set[str]) -> AccountsPlan:
    """The demo's logins and reporting accounts for ``plan``; ``taken`` are the demo
    usernames that exist already."""
    own_clinic = next(c for c in plan.clinics if c.kind == ClinicKind.VARDCENTRAL)
    # The coordinator gets the largest private chain.
    chains = Counter(c.provider_org_nr for c in plan.clinics if c.is_private)
    own_provider = chains.most_common(1)[0][0] if chains else None
    provider_names = {p.org_nr: p.name for p in plan.providers}

    everything = _("all clinics")
    wanted = [
        DemoLogin("admin", Role.REGION_ADMIN, everything, True),
        DemoLogin("granskare", Role.REVIEWER, everything, True),
        DemoLogin(
            "rapportor",
            Role.CLINIC_REPORTER,
            own_clinic.name,
            True,
            clinic_hsa_ids=(own_clinic.hsa_id,),
        ),
    ]
    if own_provider:
        wanted.append(
            DemoLogin(
                "samordnare",
                Role.CLINIC_REPORTER,
                provider_names[own_provider],
                True,
                provider_org_nrs=(own_provider,),
            )
        )
    wanted.append(DemoLogin("lasare", Role.VIEWER, everything, True))
    logins = tuple(
        DemoLogin(login.username, login.role, login.scope, created=False)
        if login.username in taken
        else login
        for login in wanted
    )
    created = {login.username for login in logins if login.created}

    by_hsa_id = {own_clinic.hsa_id: "rapportor"} if "rapportor" in created else {}
    by_unit = {own_provider: "samordnare"} if "samordnare" in created else {}
    units = [unit for unit in _REGION_UNITS if unit not in by_unit]
    units += [p.org_nr for p in plan.providers[1:] if p.org_nr not in by_unit]
    names = {**_REGION_UNITS, **provider_names}
    accounts = [
        AccountPlan(_account_name(unit), Role.CLINIC_REPORTER, names[unit][:150], unit)
        for unit in units
    ]
    reviewer = "granskare" if "granskare" in created else FALLBACK_REVIEWER
    if reviewer == FALLBACK_REVIEWER:
        accounts.append(AccountPlan(FALLBACK_REVIEWER, Role.REVIEWER))
    by_unit.update((account.unit, account.username) for account in accounts if account.unit)

    clinic_links = tuple(
        (by_unit[clinic.reporting_unit], clinic.hsa_id)
        for clinic in plan.clinics
        if not clinic.is_private
        and clinic.hsa_id not in by_hsa_id
        and clinic.reporting_unit in units
    )
    provider_links = tuple(
        (by_unit[org_nr], org_nr) for org_nr in units if org_nr in provider_names
    )
    return AccountsPlan(
        logins=logins,
        accounts=tuple(accounts),
        reviewer=reviewer,
        by_hsa_id=by_hsa_id,
        by_unit=by_unit,
        clinic_links=clinic_links,
        provider_links=provider_links,
    )

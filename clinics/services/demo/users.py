"""The demo's users: one login per role, and the accounts that report for everyone else.

The logins share ``DEMO_PASSWORD``; a username that is already taken is left as it was. The
other clinics are reported for by one account per region branch and per private provider,
which cannot sign in.
"""

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from clinics.models import Clinic, Provider, Role, User
from clinics.services.demo.register_plan import ClinicPlan, RegisterPlan
from clinics.services.users import create_user
from requirements.vocabulary import ClinicKind

DEMO_PASSWORD = "demo-losen-2026"

_REGION_UNITS = {
    "vardcentralen-halland": "Vårdcentralen Halland",
    "folktandvarden": "Folktandvården Halland",
    "hallands-sjukhus": "Hallands sjukhus",
    "psykiatri-halland": "Psykiatri Halland",
    "regionkontoret": "Regionkontoret",
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    scope: str
    created: bool  # False: the username was taken, so that account was left as it was


class DemoAccounts:
    """Who reports for which clinic and who reviews: the demo logins where they exist,
    otherwise one account per region branch and per private provider (no password)."""

    def __init__(
        self,
        plan: RegisterPlan,
        providers: dict[str, Provider],
        clinics: list[Clinic],
        *,
        batch_size: int,
    ):
        self.result: list[DemoLogin] = []
        self.token: str | None = None
        self.by_unit: dict[str, User] = {}
        self.by_hsa_id: dict[str, User] = {}
        own_clinic = next(c for c in plan.clinics if c.kind == ClinicKind.VARDCENTRAL)
        # The coordinator gets the largest private chain.
        chains = Counter(c.provider_org_nr for c in plan.clinics if c.is_private)
        own_provider = chains.most_common(1)[0][0] if chains else None
        taken = set(
            User.objects.filter(
                username__in=["admin", "granskare", "rapportor", "samordnare", "lasare"]
            ).values_list("username", flat=True)
        )

        def login(username: str, role: str, scope: str, **links) -> User | None:
            if username in taken:
                self.result.append(DemoLogin(username, role, scope, created=False))
                return None
            created = create_user(
                username=username,
                role=role,
                password=DEMO_PASSWORD,
                email=f"{username}@demo.regionhalland.invalid",
                with_token=role == Role.VIEWER,
                **links,
            )
            self.result.append(DemoLogin(username, role, scope, created=True))
            self.token = self.token or created.token
            return created.user

        everything = _("all clinics")
        login("admin", Role.REGION_ADMIN, everything)
        self.reviewer = login("granskare", Role.REVIEWER, everything)
        reporter = login(
            "rapportor", Role.CLINIC_REPORTER, own_clinic.name, clinic_hsa_ids=[own_clinic.hsa_id]
        )
        if reporter:
            self.by_hsa_id[own_clinic.hsa_id] = reporter
        if own_provider:
            coordinator = login(
                "samordnare",
                Role.CLINIC_REPORTER,
                providers[own_provider].name,
                provider_org_nrs=[own_provider],
            )
            if coordinator:
                self.by_unit[own_provider] = coordinator
        login("lasare", Role.VIEWER, everything)

        # The accounts that report for everyone else, and a reviewer if "granskare" was taken.
        units = [unit for unit in _REGION_UNITS if unit not in self.by_unit]
        units += [p.org_nr for p in plan.providers[1:] if p.org_nr not in self.by_unit]
        names = {**_REGION_UNITS, **{p.org_nr: p.name for p in plan.providers}}
        accounts = [
            User(
                username=f"demo-{unit.replace('-', '') if unit[0].isdigit() else unit}",
                role=Role.CLINIC_REPORTER,
                first_name="Demo",
                last_name=names[unit][:150],
            )
            for unit in units
        ]
        if self.reviewer is None:
            accounts.append(
                User(username="demo-granskning", role=Role.REVIEWER, first_name="Demo")
            )
        for account in accounts:
            account.set_unusable_password()
        bulk_create_with_history(accounts, User, batch_size=batch_size)
        if self.reviewer is None:
            self.reviewer = accounts.pop()
        self.by_unit.update(zip(units, accounts, strict=True))

        region_links = [
            User.clinics.through(user_id=self.by_unit[spec.reporting_unit].pk, clinic_id=clinic.pk)
            for spec, clinic in zip(plan.clinics, clinics, strict=True)
            if not spec.is_private
            and spec.hsa_id not in self.by_hsa_id
            and spec.reporting_unit in units
        ]
        User.clinics.through.objects.bulk_create(region_links, batch_size=batch_size)
        provider_links = [
            User.providers.through(
                user_id=self.by_unit[org_nr].pk, provider_id=providers[org_nr].pk
            )
            for org_nr in units
            if org_nr in providers
        ]
        User.providers.through.objects.bulk_create(provider_links, batch_size=batch_size)

    def reporter_for(self, clinic: ClinicPlan) -> User:
        return self.by_hsa_id.get(clinic.hsa_id) or self.by_unit[clinic.reporting_unit]

"""Writing the demo's plans: ``seed_demo``, the one function that writes, and the bulk
writes behind it.

The register, the accounts and each batch of clinics' reports, events and answers are
written with bulk INSERTs, so a national-scale register of 20,000 clinics takes minutes,
not hours, and the number of queries does not grow with the number of clinics.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from clinics.demo.accounts import (
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    AccountsPlan,
    DemoLogin,
    plan_accounts,
)
from clinics.demo.register import (
    DEFAULT_CLINICS,
    DEFAULT_SEED,
    ClinicPlan,
    RegisterPlan,
    plan_register,
)
from clinics.demo.reports import DemoRequirement, ReportPlan, plan_reports
from clinics.models import (
    Answer,
    AnswerAction,
    Clinic,
    Provider,
    Report,
    ReportEvent,
    ReportState,
    Role,
    User,
)
from clinics.services.users import create_user
from clinics.timeline import rebuild_all
from halland_utbud.batches import batched
from halland_utbud.errors import ApplicationError
from requirements.models import CatalogueVersion, Requirement
from requirements.selectors import catalogue_in_force

_BATCH = 1000  # rows per INSERT; the clinics are written this many at a time as well


@dataclass
class DemoResult:
    providers: int = 0
    clinics: int = 0
    reports: dict[str, int] = field(default_factory=dict)
    answers: int = 0
    logins: list[DemoLogin] = field(default_factory=list)
    viewer_token: str | None = None


def _write_register(plan: RegisterPlan, today: date) -> tuple[dict[str, Provider], list[Clinic]]:
    providers = [
        Provider(organisation_number=p.org_nr, name=p.name, kind=p.kind) for p in plan.providers
    ]
    for provider in providers:
        provider.full_clean(validate_unique=False)
    bulk_create_with_history(providers, Provider, batch_size=_BATCH)
    by_org_nr = {provider.organisation_number: provider for provider in providers}
    clinics = []
    for spec in plan.clinics:
        clinic = Clinic(
            hsa_id=spec.hsa_id,
            name=spec.name,
            provider=by_org_nr[spec.provider_org_nr],
            kind=spec.kind,
            care_type=spec.care_type,
            municipality_code=spec.municipality_code,
            contract_form=spec.contract_form,
            url_1177=spec.url_1177,
            active_until=today - timedelta(days=60) if spec.closed else None,
        )
        # The provider was just created; checking it would cost a query per clinic.
        clinic.full_clean(exclude=["provider"], validate_unique=False, validate_constraints=False)
        clinics.append(clinic)
    bulk_create_with_history(clinics, Clinic, batch_size=_BATCH)
    return by_org_nr, clinics


def _write_accounts(
    plan: AccountsPlan, providers: dict[str, Provider], clinics: list[Clinic]
) -> tuple[dict[str, User], str | None]:
    """The demo's logins (with the viewer's API token) and reporting accounts, with their
    links; the users by username, and the token."""
    users: dict[str, User] = {}
    token = None
    for login in plan.logins:
        if not login.created:
            continue
        created = create_user(
            username=login.username,
            role=login.role,
            password=DEMO_PASSWORD,
            email=f"{login.username}@demo.regionhalland.invalid",
            with_token=login.role == Role.VIEWER,
            clinic_hsa_ids=login.clinic_hsa_ids,
            provider_org_nrs=login.provider_org_nrs,
        )
        users[login.username] = created.user
        token = token or created.token
    accounts = [
        User(
            username=account.username,
            role=account.role,
            first_name="Demo",
            last_name=account.last_name,
        )
        for account in plan.accounts
    ]
    for account in accounts:
        account.set_unusable_password()
    bulk_create_with_history(accounts, User, batch_size=_BATCH)
    users.update((account.username, account) for account in accounts)

    by_hsa_id = {clinic.hsa_id: clinic for clinic in clinics}
    User.clinics.through.objects.bulk_create(
        [
            User.clinics.through(user_id=users[username].pk, clinic_id=by_hsa_id[hsa_id].pk)
            for username, hsa_id in plan.clinic_links
        ],
        batch_size=_BATCH,
    )
    User.providers.through.objects.bulk_create(
        [
            User.providers.through(user_id=users[username].pk, provider_id=providers[org_nr].pk)
            for username, org_nr in plan.provider_links
        ],
        batch_size=_BATCH,
    )
    return users, token


# The report field that holds the time of the transition into each state.
_EVENT_MOMENTS = {
    ReportState.DRAFT: "created_at",
    ReportState.SUBMITTED: "submitted_at",
    ReportState.APPROVED: "decided_at",
    ReportState.RETURNED: "decided_at",
}


def _write_reports(
    specs: list[ClinicPlan],
    clinics: list[Clinic],
    *,
    version: CatalogueVersion,
    requirements: list[Requirement],
    accounts: AccountsPlan,
    users: dict[str, User],
    seed: int,
    today: date,
    result: DemoResult,
) -> None:
    demo_requirements = [DemoRequirement.of(r) for r in requirements]
    by_code = {r.code: r for r in requirements}
    reviewer = users[accounts.reviewer]
    reports: list[tuple[Report, ReportPlan, User]] = []
    for spec, clinic in zip(specs, clinics, strict=True):
        reporter = users[accounts.reporter_for(spec)]
        plans = plan_reports(
            spec, demo_requirements, seed=seed, today=today, not_before=version.effective_from
        )
        for plan in plans:
            report = Report(
                clinic=clinic,
                catalogue_version=version,
                state=plan.state,
                submitted_at=plan.submitted_at,
                submitted_by=reporter if plan.submitted_at else None,
                decided_at=plan.decided_at,
                decided_by=reviewer if plan.decided_at else None,
                review_comment=plan.review_comment,
                # The plans are in the order the reports were started.
                is_latest=plan is plans[-1],
            )
            reports.append((report, plan, reporter))
    Report.objects.bulk_create([report for report, _plan, _user in reports], batch_size=_BATCH)

    events: list[ReportEvent] = []
    answers: list[Answer] = []
    for report, plan, reporter in reports:
        # auto_now_add stamped "now" on the way in; put back when the report was opened.
        report.created_at = plan.created_at
        report.started_at = min(
            (a.reported_at for a in plan.answers if a.reported_at >= plan.created_at),
            default=None,
        )
        report._history_date = plan.transitions()[-1][2]
        report._history_user = reviewer if plan.decided_at else reporter
        for from_state, to_state, _at in plan.transitions():
            actor = reviewer if from_state == ReportState.SUBMITTED else reporter
            comment = plan.review_comment if to_state == ReportState.RETURNED else ""
            events.append(
                ReportEvent(
                    report=report,
                    actor=actor,
                    from_state=from_state,
                    to_state=to_state,
                    comment=comment,
                )
            )
        answers.extend(
            Answer(
                report=report,
                requirement=by_code[answer.code],
                status=answer.status,
                channel=answer.channel,
                evidence_url=answer.evidence_url,
                comment=answer.comment,
                justification=answer.justification,
                review_comment=answer.review_comment,
                reported_by=reporter,
                reported_at=answer.reported_at,
            )
            for answer in plan.answers
        )
        result.reports[plan.state] = result.reports.get(plan.state, 0) + 1
    report_rows = [report for report, _plan, _user in reports]
    Report.objects.bulk_update(report_rows, ["created_at", "started_at"], batch_size=_BATCH)
    Report.history.bulk_history_create(report_rows, batch_size=_BATCH)

    ReportEvent.objects.bulk_create(events, batch_size=_BATCH)
    # auto_now_add stamped the events "now" too: each took place at its report's time.
    report_ids = [report.pk for report in report_rows]
    for to_state, moment in _EVENT_MOMENTS.items():
        ReportEvent.objects.filter(report_id__in=report_ids, to_state=to_state).update(
            at=Subquery(Report.objects.filter(pk=OuterRef("report_id")).values(moment)[:1])
        )

    # Each answer's history starts with its import, so that a later change reads as a
    # change from what the demo gave (and by whom), not as a new answer by whoever changed it.
    Answer.objects.bulk_create(answers, batch_size=_BATCH)
    for answer in answers:
        answer._history_date = answer.reported_at
        answer._history_user = answer.reported_by
    Answer.history.bulk_history_create(
        answers, batch_size=_BATCH, default_change_reason=AnswerAction.IMPORTED
    )
    result.answers += len(answers)


@transaction.atomic
def seed_demo(
    *, clinics: int = DEFAULT_CLINICS, seed: int = DEFAULT_SEED, today: date | None = None
) -> DemoResult:
    """Fill an empty register with a demo of Halland: providers, clinics, reports, users.

    Refuses when any clinic exists. Imports the repository's catalogue when no version
    is in force.
    """
    if Clinic.objects.exists():
        raise ApplicationError(
            _("The register already has clinics. Demo data is only added to an empty register.")
        )
    today = today or timezone.localdate()
    version = catalogue_in_force(today)
    if version is None:
        from requirements.catalogue_import import DEFAULT_CATALOGUE_PATH, import_catalogue

        version, _created = import_catalogue(DEFAULT_CATALOGUE_PATH)
        if version.effective_from > today:
            raise ApplicationError(
                _("The requirement catalogue is not in force yet; no demo data was created.")
            )
    requirements = list(version.requirements.select_related("area").order_by("position"))

    plan = plan_register(clinics=clinics, seed=seed)
    taken = set(
        User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    )
    accounts = plan_accounts(plan, taken)
    providers, clinic_rows = _write_register(plan, today)
    users, token = _write_accounts(accounts, providers, clinic_rows)
    result = DemoResult(
        providers=len(providers),
        clinics=len(clinic_rows),
        logins=list(accounts.logins),
        viewer_token=token,
    )
    for chunk in batched(list(zip(plan.clinics, clinic_rows, strict=True)), _BATCH):
        _write_reports(
            [spec for spec, _clinic in chunk],
            [clinic for _spec, clinic in chunk],
            version=version,
            requirements=requirements,
            accounts=accounts,
            users=users,
            seed=seed,
            today=today,
            result=result,
        )
    # Written in bulk, past the services: the timelines are built once, at the end.
    rebuild_all()
    return result

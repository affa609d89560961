"""The registry of every page a person can open, and the small world the pages are shown in.

The accessibility test opens each page in ``PAGES`` for each role listed there and runs
axe-core on it; ``test_page_registry`` fails when a URL pattern is in neither ``PAGES`` nor
``NOT_PAGES``, so a page nobody listed cannot slip past the accessibility check.

A role listed for a page is a role that gets the page (200); ``test_page_registry`` also
checks that every role NOT listed is refused, so the list stays exact in both directions.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from clinics.models import (
    ActionPlan,
    ApiToken,
    CaseState,
    CatalogueUpload,
    Clinic,
    ExemptionCase,
    Provider,
    Report,
    ReportingRound,
    ReportState,
    Role,
    User,
)
from clinics.services.action_plans import (
    PlanRow,
    return_action_plan,
    save_action_plan,
    submit_action_plan,
)
from clinics.services.api_tokens import create_api_token
from clinics.services.cases import approve_case, create_case, submit_case
from clinics.services.catalogue_uploads import upload_catalogue
from clinics.services.reports import return_report, save_answer, submit_report
from clinics.services.rounds import open_round
from followup.clinic_indicators import (
    define_clinic_indicator,
    previous_period,
    report_clinic_indicator_value,
)
from followup.models import ClinicIndicator, Recompute, Target
from followup.recomputes import run_recompute, start_recompute
from followup.snapshots import take_snapshots
from followup.targets import save_target
from followup.usage import import_usage
from requirements.catalogue_import import DEFAULT_CATALOGUE_PATH
from requirements.models import CatalogueVersion
from requirements.vocabulary import (
    AnswerStatus,
    CareType,
    Channel,
    ClinicKind,
    ExemptionKind,
    Municipality,
    ProviderKind,
)
from tests.api.helpers import approve_answers
from tests.factories import REGION_HALLAND_ORG_NR, make_clinic, make_provider, make_user

REVISION_2_PATH = DEFAULT_CATALOGUE_PATH.with_name("rs220477-revision-2.yaml")
ANONYMOUS = "anonymous"
REGION_ADMIN = Role.REGION_ADMIN.value
REVIEWER = Role.REVIEWER.value
VIEWER = Role.VIEWER.value
CLINIC_REPORTER = Role.CLINIC_REPORTER.value

SIGNED_IN_ROLES = (REGION_ADMIN, REVIEWER, VIEWER, CLINIC_REPORTER)
ALL_ROLES = (ANONYMOUS, *SIGNED_IN_ROLES)
SEES_EVERYTHING = (REGION_ADMIN, REVIEWER, VIEWER)


@dataclass
class Scenario:
    """A small, realistic region: two providers, three clinics, a report in each state.

    - ``clinic_a`` (Region Halland): an approved report, and a draft started after it;
    - ``clinic_b`` (Region Halland, dental): a report returned with the reviewer's comments;
    - ``clinic_c`` (a private provider): a submitted report waiting for review.

    The clinic reporter coordinates Region Halland's clinics (A and B), so C is a clinic
    they may not see. The draft, returned and submitted reports belong to one open
    reporting round, opened after A's approval so that A's draft starts from its answers.

    A's approved report does not meet remote contact by chat: its action plan was
    submitted by the reporter and returned by the reviewer with a comment.

    Exemption cases for web booking ("beställa tid" instead of booking directly), all
    requested by the clinic reporter: one approved by the reviewer and one submitted for
    clinic A, one draft for clinic B.

    The viewer has an API key for the budget system (``api_token``).
    """

    catalogue: CatalogueVersion
    providers: list[Provider]
    clinics: list[Clinic]
    reports: dict[str, Report]
    users: dict[str, User]
    round: ReportingRound
    cases: dict[str, ExemptionCase] = field(default_factory=dict)
    target: Target | None = None
    recompute: Recompute | None = None
    clinic_indicator: ClinicIndicator | None = None
    catalogue_upload: CatalogueUpload | None = None
    action_plan: ActionPlan | None = None
    api_token: ApiToken | None = None

    @property
    def clinic_a(self) -> Clinic:
        return self.clinics[0]

    @property
    def clinic_b(self) -> Clinic:
        return self.clinics[1]

    @property
    def clinic_c(self) -> Clinic:
        return self.clinics[2]


@dataclass(frozen=True)
class Page:
    """One page: its URL name, how to reach it in a scenario, and who may see it."""

    name: str
    roles: tuple[str, ...]
    url: Callable[[Scenario], str]
    variant: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.variant})" if self.variant else self.name


def _plain(name: str) -> Callable[[Scenario], str]:
    return lambda scenario: reverse(name)


PAGES: tuple[Page, ...] = (
    Page("login", (ANONYMOUS,), _plain("login")),
    Page("accessibility", ALL_ROLES, _plain("accessibility")),
    Page("overview", SEES_EVERYTHING, _plain("overview")),
    Page("follow_up", SEES_EVERYTHING, _plain("follow_up")),
    Page(
        "recompute_detail",
        (REGION_ADMIN,),
        lambda s: reverse("recompute_detail", args=[s.recompute.pk]),
    ),
    Page("target_list", SEES_EVERYTHING, _plain("target_list")),
    Page("usage_import", (REGION_ADMIN,), _plain("usage_import")),
    Page("catalogue_preview_start", (REGION_ADMIN,), _plain("catalogue_preview_start")),
    Page(
        "catalogue_preview",
        (REGION_ADMIN,),
        lambda s: reverse("catalogue_preview", args=[s.catalogue_upload.pk]),
    ),
    Page("target_create", (REGION_ADMIN,), _plain("target_create")),
    Page(
        "target_edit",
        (REGION_ADMIN,),
        lambda s: reverse("target_edit", args=[s.target.pk]),
    ),
    Page(
        "clinic_detail",
        (*SEES_EVERYTHING, CLINIC_REPORTER),
        lambda s: reverse("clinic_detail", args=[s.clinic_a.pk]),
    ),
    Page(
        "clinic_history",
        (*SEES_EVERYTHING, CLINIC_REPORTER),
        lambda s: reverse("clinic_history", args=[s.clinic_a.pk]),
    ),
    Page(
        "clinic_indicator_create",
        (CLINIC_REPORTER,),
        lambda s: reverse("clinic_indicator_create", args=[s.clinic_a.pk]),
    ),
    Page(
        "clinic_indicator_detail",
        (CLINIC_REPORTER,),
        lambda s: reverse("clinic_indicator_detail", args=[s.clinic_a.pk, s.clinic_indicator.pk]),
    ),
    Page("my_clinics", (CLINIC_REPORTER,), _plain("my_clinics")),
    Page("bulk_answer", (CLINIC_REPORTER,), _plain("bulk_answer")),
    Page(
        "bulk_answer",
        (CLINIC_REPORTER,),
        lambda s: reverse("bulk_answer") + "?requirement=etjanster.fornya_recept&all=1",
        variant="a requirement chosen, every clinic listed chosen",
    ),
    Page("bulk_submit", (CLINIC_REPORTER,), lambda s: reverse("bulk_submit") + "?all=1"),
    Page(
        "report_edit",
        (CLINIC_REPORTER,),
        lambda s: reverse("report_edit", args=[s.reports[ReportState.DRAFT].pk]),
        variant="draft",
    ),
    Page(
        "report_edit",
        (CLINIC_REPORTER,),
        lambda s: reverse("report_edit", args=[s.reports[ReportState.RETURNED].pk]),
        variant="returned with the reviewer's comments",
    ),
    Page(
        "clinic_action_plan",
        (*SEES_EVERYTHING, CLINIC_REPORTER),
        lambda s: reverse("clinic_action_plan", args=[s.clinic_a.pk]),
        variant="returned, with the form for the clinic",
    ),
    Page(
        "review_action_plan",
        (REVIEWER,),
        lambda s: reverse("review_action_plan", args=[s.action_plan.pk]),
    ),
    Page("review_queue", (REVIEWER,), _plain("review_queue")),
    Page(
        "review_report",
        (REVIEWER,),
        lambda s: reverse("review_report", args=[s.reports[ReportState.SUBMITTED].pk]),
    ),
    Page("round_list", (REGION_ADMIN,), _plain("round_list")),
    Page("round_create", (REGION_ADMIN,), _plain("round_create")),
    Page(
        "round_detail",
        (REGION_ADMIN,),
        lambda s: reverse("round_detail", args=[s.round.pk]),
    ),
    Page("case_queue", (REVIEWER,), _plain("case_queue")),
    Page("exemption_list", (*SEES_EVERYTHING, CLINIC_REPORTER), _plain("exemption_list")),
    Page("case_create", (CLINIC_REPORTER,), _plain("case_create")),
    Page(
        "case_detail",
        (*SEES_EVERYTHING, CLINIC_REPORTER),
        lambda s: reverse("case_detail", args=[s.cases[CaseState.SUBMITTED].pk]),
        variant="submitted, with the decision form",
    ),
    Page(
        "case_detail",
        (*SEES_EVERYTHING, CLINIC_REPORTER),
        lambda s: reverse("case_detail", args=[s.cases[CaseState.APPROVED].pk]),
        variant="approved, with the revocation form",
    ),
    Page(
        "case_edit",
        (CLINIC_REPORTER,),
        lambda s: reverse("case_edit", args=[s.cases[CaseState.DRAFT].pk]),
    ),
    # The scenario's services send mails as they would (the round, the returned report,
    # the decisions), so most roles find notifications here; the viewer finds none.
    Page("notifications", SIGNED_IN_ROLES, _plain("notifications")),
    # The viewer's lists the budget system's key; the others have none yet.
    Page("api_tokens", SIGNED_IN_ROLES, _plain("api_tokens")),
)

# URL names that are not pages a person reads, and why axe has nothing to check there.
NOT_PAGES: dict[str, str] = {
    "home": "redirects each role to its start page (test_sign_in follows it)",
    "oidc_sign_in": "redirects to the identity provider (test_siths_sign_in follows it)",
    "oidc_callback": (
        "the identity provider's answer: redirects on, or the refusal page, which passes "
        "axe in test_siths_sign_in"
    ),
    "no_access": (
        "for someone signed in with no role, whom the scenario has not: it passes axe in "
        "test_siths_sign_in"
    ),
    "logout": "POST only: signs out and redirects to the sign-in page",
    "target_delete": "POST only: removes a target and redirects to the list",
    "recompute_start": "POST only: starts a recompute and redirects to its page",
    "recompute_status": "JSON: a recompute's progress, polled by its page's script",
    "set_language": "POST only: Django's language switch, redirects back to the page",
    "report_start": "POST only: starts a report and redirects to its form",
    "catalogue_preview_import": "POST only: imports the previewed file and redirects to it",
    "clinic_indicator_report": "POST only: reports a value and redirects to the indicator",
    "round_close": "POST only: closes the round and redirects to its page",
    "round_remind": "POST only: reminds the round's late clinics and redirects to its page",
    "api_token_revoke": "POST only: revokes an API key and redirects to the list of keys",
    "overview_export_csv": "a CSV download, not an HTML page",
    "overview_export_xlsx": "an XLSX download, not an HTML page",
    "exemption_export_csv": "a CSV download, not an HTML page",
    "exemption_export_xlsx": "an XLSX download, not an HTML page",
    "provider_suggestions": "JSON for the provider field's suggestions, not an HTML page",
    "healthz": "a liveness probe for the load balancer, not a page",
    "readyz": "a readiness probe for the load balancer, not a page",
}


def page_role_pairs() -> list[tuple[Page, str]]:
    return [(page, role) for page in PAGES for role in page.roles]


def _answer_everything(report: Report, reporter: User) -> None:
    """Answer every requirement as a careful clinic would: mostly met, one not met, one
    e-service not applicable with a justification."""
    for requirement in report.catalogue_version.requirements.order_by("position"):
        status = AnswerStatus.MET
        if requirement.code == "distans.chatt":
            status = AnswerStatus.NOT_MET
        elif requirement.code == "etjanster.vaccination_utlandsresa":
            status = AnswerStatus.NOT_APPLICABLE
        save_answer(
            report=report,
            requirement=requirement,
            actor=reporter,
            status=status,
            channel=Channel.E_SERVICES_1177 if requirement.asks_channel else "",
            evidence_url=f"https://www.1177.se/hitta-vard/underlag/{requirement.code}",
            comment="Finns på mottagningens sida på 1177." if status == AnswerStatus.MET else "",
            justification="Mottagningen ger inte vaccinationer inför utlandsresor."
            if status == AnswerStatus.NOT_APPLICABLE
            else "",
        )


def _open_round(admin: User, clinics: list[Clinic]) -> ReportingRound:
    """Open this year's round for the three clinics, as a region admin does."""
    return open_round(
        name=f"Uppföljning {timezone.localdate().year}",
        deadline=timezone.localdate() + timedelta(days=30),
        clinics=Clinic.objects.filter(pk__in=[clinic.pk for clinic in clinics]),
        # The scenario's three clinics are the whole register: the round covers all.
        selection={"all": True},
        actor=admin,
    )


def _web_booking_case(clinic: Clinic, reporter: User, catalogue: CatalogueVersion, days: int):
    """A draft request for "beställa tid" instead of direct booking, for ``days`` days."""
    today = timezone.localdate()
    return create_case(
        clinic=clinic,
        requirement=catalogue.requirements.get(code="webbtidbok.boka_direkt"),
        actor=reporter,
        exemption_kind=ExemptionKind.REQUEST_APPOINTMENT,
        reason_category="technical",
        justification="Journalsystemet kan ännu inte ta emot tider bokade direkt av invånare.",
        alternative="E-tjänsten Beställa tid på 1177.",
        links=["https://www.1177.se/hitta-vard/underlag/tidbok"],
        requested_from=today,
        requested_until=today + timedelta(days=days),
    )


def _cases(
    catalogue: CatalogueVersion, clinic_a: Clinic, clinic_b: Clinic, users: dict[str, User]
) -> dict[str, ExemptionCase]:
    reporter, reviewer = users[CLINIC_REPORTER], users[REVIEWER]
    approved = submit_case(
        case=_web_booking_case(clinic_a, reporter, catalogue, 90), actor=reporter
    )
    approved = approve_case(
        case=approved,
        actor=reviewer,
        valid_from=approved.requested_from,
        valid_until=approved.requested_until,
        comment="Godkänt till dess att det nya journalsystemet är infört.",
    )
    submitted = submit_case(
        case=_web_booking_case(clinic_a, reporter, catalogue, 365), actor=reporter
    )
    draft = _web_booking_case(clinic_b, reporter, catalogue, 180)
    return {
        CaseState.APPROVED: approved,
        CaseState.SUBMITTED: submitted,
        CaseState.DRAFT: draft,
    }


def build_scenario(catalogue: CatalogueVersion) -> Scenario:
    region = make_provider(
        name="Region Halland",
        organisation_number=REGION_HALLAND_ORG_NR,
        kind=ProviderKind.REGION,
    )
    private = make_provider(name="Vårdcentralen Hälsan AB")
    clinic_a = make_clinic(
        provider=region,
        name="Vårdcentralen Andersberg",
        municipality_code=Municipality.HALMSTAD,
    )
    clinic_b = make_clinic(
        provider=region,
        name="Folktandvården Varberg",
        kind=ClinicKind.GENERAL_DENTAL,
        care_type=CareType.DENTAL,
        municipality_code=Municipality.VARBERG,
    )
    clinic_c = make_clinic(
        provider=private,
        name="Vårdcentralen Hälsan Kungsbacka",
        municipality_code=Municipality.KUNGSBACKA,
    )
    clinics = [clinic_a, clinic_b, clinic_c]

    users = {
        REGION_ADMIN: make_user(Role.REGION_ADMIN, first_name="Anna", last_name="Lindqvist"),
        REVIEWER: make_user(Role.REVIEWER, first_name="Rasmus", last_name="Berg"),
        VIEWER: make_user(Role.VIEWER, first_name="Vera", last_name="Holm"),
        CLINIC_REPORTER: make_user(
            Role.CLINIC_REPORTER, providers=[region], first_name="Karin", last_name="Ek"
        ),
    }
    reporter = users[CLINIC_REPORTER]
    reporter_c = make_user(
        Role.CLINIC_REPORTER, clinics=[clinic_c], first_name="Omar", last_name="Nilsson"
    )
    reviewer = users[REVIEWER]

    # An earlier approved report, so the round's draft for A starts from its answers.
    approved = approve_answers(
        clinic_a, {"distans.chatt": AnswerStatus.NOT_MET}, reviewer=reviewer
    )

    round_ = _open_round(users[REGION_ADMIN], clinics)
    in_round = {report.clinic_id: report for report in round_.reports.all()}

    draft = in_round[clinic_a.pk]

    returned = in_round[clinic_b.pk]
    _answer_everything(returned, reporter)
    submit_report(report=returned, actor=reporter)
    first_answer = returned.answers.order_by("requirement__position").first()
    returned = return_report(
        report=returned,
        actor=reviewer,
        comment="Länkarna till underlaget saknas för några e-tjänster.",
        answer_comments={first_answer.pk: "Sidan på 1177 visar inte mottagningens adress."},
    )

    submitted = in_round[clinic_c.pk]
    _answer_everything(submitted, reporter_c)
    submitted = submit_report(report=submitted, actor=reporter_c)

    scenario = Scenario(
        catalogue=catalogue,
        providers=[region, private],
        clinics=clinics,
        reports={
            ReportState.APPROVED: approved,
            ReportState.SUBMITTED: submitted,
            ReportState.RETURNED: returned,
            ReportState.DRAFT: draft,
        },
        users=users,
        round=round_,
        cases=_cases(catalogue, clinic_a, clinic_b, users),
    )
    scenario.action_plan = _action_plan(clinic_a, reporter, reviewer)
    # The follow-up's figures of today, with the round and the exemption in them, and a
    # target for the year.
    today = timezone.localdate()
    _usage(users[REGION_ADMIN], clinic_a, clinic_b, today)
    take_snapshots()  # yesterday's, as the nightly job
    scenario.target = save_target(
        actor=users[REGION_ADMIN],
        indicator_id="baseline",
        year=today.year,
        value=0.75,
        document="Mål och budget",
        document_date=today.replace(month=1, day=1),
    )
    # A recompute started from the follow-up page, finished.
    scenario.recompute = start_recompute(actor=users[REGION_ADMIN])
    run_recompute(scenario.recompute.pk)
    scenario.recompute.refresh_from_db()
    scenario.clinic_indicator = _clinic_indicators(clinic_a, reporter)
    # Revision 2 uploaded for its preview, not imported.
    scenario.catalogue_upload = upload_catalogue(
        actor=users[REGION_ADMIN],
        file_name=REVISION_2_PATH.name,
        data=REVISION_2_PATH.read_bytes(),
    )
    scenario.api_token = create_api_token(user=users[VIEWER], name="Budgetsystemet").token
    return scenario


def _action_plan(clinic: Clinic, reporter: User, reviewer: User) -> ActionPlan:
    """The plan for A's approved report, submitted and returned with the reviewer's comment."""
    plan = save_action_plan(clinic=clinic, actor=reporter, rows={})
    due = timezone.localdate() + timedelta(days=60)
    plan = save_action_plan(
        clinic=clinic,
        actor=reporter,
        rows={
            item.answer_id: PlanRow(
                measure="Införa chatt via 1177 för mottagningens sjuksköterskor.",
                responsible="Karin Ek, verksamhetschef",
                due_date=due,
            )
            for item in plan.items.all()
        },
    )
    submit_action_plan(plan=plan, actor=reporter)
    return return_action_plan(
        plan=plan, actor=reviewer, comment="Ange också när personalen utbildas i chatten."
    )


def _usage(admin: User, used: Clinic, unused: Clinic, today) -> None:
    """Last month's usage: ``used`` booked on the web, ``unused`` never did (a mismatch
    on its page if it answers web booking met)."""
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    import_usage(
        "hsa_id;month;measure;value\n"
        f"{used.hsa_id};{month};web_bookings;41\n"
        f"{used.hsa_id};{month};video_visits;0\n"
        f"{unused.hsa_id};{month};journalen_logins;112\n",
        actor=admin,
        file_name="användning.csv",
    )


def _clinic_indicators(clinic: Clinic, reporter: User) -> ClinicIndicator:
    """Clinic A's own indicators, as its reporter keeps them: a monthly one with a target
    and three months reported (one of them with a comment), and a quarterly one not yet
    reported. The monthly one is returned."""
    monthly = define_clinic_indicator(
        actor=reporter,
        clinic=clinic,
        name="Återuppringda samma dag",
        unit="%",
        direction="higher",
        frequency="month",
        target=90.0,
        description="Andelen samtal till mottagningen som ringdes upp samma dag.",
    )
    period = previous_period("month", timezone.localdate())
    for value, comment in [(88.5, ""), (84.0, "Två sköterskor sjuka."), (79.0, "")]:
        report_clinic_indicator_value(
            actor=reporter, indicator=monthly, period=period.code, value=value, comment=comment
        )
        period = previous_period("month", period.start)
    define_clinic_indicator(
        actor=reporter,
        clinic=clinic,
        name="Akuta besök utan tid",
        unit="besök",
        direction="lower",
        frequency="quarter",
    )
    return monthly

"""The world the access matrix (tests/test_access_matrix.py) walks every URL in, and how to
reach each URL in it: its arguments and the data a write sends.

The world is the browser tests' scenario (tests/browser/pages.py) with what the matrix
needs beside it: a reporter of clinic A alone ("this clinic"), a draft case of clinic A,
and a submitted action plan for a reviewer to decide. Identities are named from clinic
A's point of view:

- ``reporter_here`` reports for clinic A (and for the plan's clinic in Laholm, which has
  no report open, so that starting one is a write that does something);
- ``coordinator`` is a clinic reporter linked to A's provider (Region Halland), so they
  report for A and B;
- ``reporter_elsewhere`` reports for clinic C only, of another provider.

Write data is valid for the identities the table allows, so that a refused write is
refused for who sent it, not for what they sent.
"""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clinics.models import ActionPlan, CaseState, Clinic, ExemptionCase, ReportState, Role, User
from clinics.services.action_plans import PlanRow, save_action_plan, submit_action_plan
from clinics.services.cases import create_case
from requirements.models import CatalogueVersion, Requirement
from requirements.vocabulary import AnswerStatus, ExemptionKind, Municipality, ProviderKind
from tests.api.helpers import approve_answers
from tests.browser.pages import REVISION_2_PATH, Scenario, build_scenario
from tests.factories import make_clinic, make_user

ANONYMOUS = "anonymous"
VIEWER = "viewer"
REPORTER_ELSEWHERE = "reporter_elsewhere"
REPORTER_HERE = "reporter_here"
COORDINATOR = "coordinator"
REVIEWER = "reviewer"
REGION_ADMIN = "region_admin"
IDENTITIES = (
    ANONYMOUS,
    VIEWER,
    REPORTER_ELSEWHERE,
    REPORTER_HERE,
    COORDINATOR,
    REVIEWER,
    REGION_ADMIN,
)

# The apps whose rows a refused write must leave as they were, the API keys among them
# (clinics.ApiToken: a write must not mint or drop anyone's key). Sessions and
# django-axes' attempt log stay out: every request may touch them.
FINGERPRINT_APPS = ("requirements", "clinics", "followup")

# A clinic has one open request per exemption: the scenario's clinic A has one open for
# web booking, the world's draft asks this one, and the writes request the third.
NPO = "npo.ansluten"
OWN_PLATFORM = "behandling.egen_plattform_godkand"


@dataclass
class World:
    scenario: Scenario
    users: dict[str, User]
    draft_case: ExemptionCase
    submitted_plan: ActionPlan

    @property
    def clinic(self) -> Clinic:
        """The clinic the identities are named after ("this clinic")."""
        return self.scenario.clinic_a

    @property
    def catalogue(self) -> CatalogueVersion:
        return self.scenario.catalogue

    def requirement(self, code: str) -> Requirement:
        return self.catalogue.requirements.get(code=code)


def build_world(catalogue: CatalogueVersion) -> World:
    scenario = build_scenario(catalogue)
    coordinator = scenario.users[Role.CLINIC_REPORTER.value]
    reviewer = scenario.users[Role.REVIEWER.value]
    users = {
        VIEWER: scenario.users[Role.VIEWER.value],
        # The scenario's reporter of clinic C, who submitted its report.
        REPORTER_ELSEWHERE: scenario.clinic_c.reporters.get(first_name="Omar"),
        COORDINATOR: coordinator,
        REVIEWER: reviewer,
        REGION_ADMIN: scenario.users[Role.REGION_ADMIN.value],
    }
    submitted_plan = _submitted_plan(scenario, coordinator, reviewer)
    users[REPORTER_HERE] = make_user(
        Role.CLINIC_REPORTER,
        clinics=[scenario.clinic_a, submitted_plan.clinic],
        first_name="Lina",
        last_name="Öberg",
    )
    # A's own draft, for editing and submitting (the scenario's draft is B's).
    today = timezone.localdate()
    draft_case = create_case(
        clinic=scenario.clinic_a,
        requirement=catalogue.requirements.get(code=NPO),
        actor=coordinator,
        exemption_kind=ExemptionKind.DOCUMENTATION_OTHERWISE_AVAILABLE,
        reason_category="technical",
        justification="Journalsystemet kan ännu inte anslutas till NPÖ.",
        links=["https://www.1177.se/hitta-vard/underlag/npo"],
        requested_from=today,
        requested_until=today + timedelta(days=60),
    )
    return World(
        scenario=scenario,
        users=users,
        draft_case=draft_case,
        submitted_plan=submitted_plan,
    )


def _submitted_plan(scenario: Scenario, coordinator: User, reviewer: User) -> ActionPlan:
    """A plan waiting for a reviewer, for a fourth clinic of Region Halland whose approved
    report does not meet chat (A's plan is returned, for the clinic to write in)."""
    region = next(p for p in scenario.providers if p.kind == ProviderKind.REGION)
    # Laholm's only clinic, so that a round can be opened for it alone.
    clinic = make_clinic(
        provider=region, name="Vårdcentralen Laholm", municipality_code=Municipality.LAHOLM
    )
    approve_answers(clinic, {"distans.chatt": AnswerStatus.NOT_MET}, reviewer=reviewer)
    plan = save_action_plan(clinic=clinic, actor=coordinator, rows={})
    plan = save_action_plan(
        clinic=clinic,
        actor=coordinator,
        rows={
            item.answer_id: PlanRow(
                measure="Chatt via 1177.",
                responsible="Verksamhetschefen",
                due_date=timezone.localdate() + timedelta(days=90),
            )
            for item in plan.items.all()
        },
    )
    return submit_action_plan(plan=plan, actor=coordinator)


# --- How to reach each URL ------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    """A URL's address in the world, and what a write sends there (``None``: no body)."""

    url: Callable[[World], str]
    data: Callable[[World], dict] | None = None
    # "multipart" for the web's forms (and uploads), "json" for the API.
    format: str = "multipart"


def _args(name: str, *args: Callable[[World], object], query: str = "") -> Callable:
    return lambda w: reverse(name, args=[arg(w) for arg in args]) + query


def _date(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _answer_fields(requirement: Requirement) -> dict:
    prefix = f"r{requirement.pk}"
    return {
        f"{prefix}-status": AnswerStatus.MET,
        f"{prefix}-evidence_url": "https://www.1177.se/hitta-vard/underlag/matris",
        f"{prefix}-comment": "Finns på 1177.",
    }


def _simple_requirement(w: World) -> Requirement:
    """A requirement every clinic answers without a channel."""
    return w.catalogue.requirements.filter(asks_channel=False).order_by("position").first()


def _report_edit_data(w: World) -> dict:
    return {"action": "save", **_answer_fields(_simple_requirement(w))}


def _bulk_answer_url(w: World) -> str:
    return reverse("bulk_answer") + f"?requirement={_simple_requirement(w).code}"


def _bulk_answer_data(w: World) -> dict:
    return {"clinics": [w.clinic.pk], **_answer_fields(_simple_requirement(w))}


def _case_form(w: World, code: str = OWN_PLATFORM, kind: str = "own_platform_approval") -> dict:
    return {
        "clinic": w.clinic.pk,
        "exemption": f"{w.requirement(code).pk}:{kind}",
        "reason_category": "technical",
        "justification": "Journalsystemet saknar stöd för direktbokning.",
        "alternative": "Beställa tid på 1177.",
        "links": "https://www.1177.se/hitta-vard/underlag/matris",
        "requested_from": _date(),
        "requested_until": _date(30),
        "action": "save",
    }


def _plan_rows(plan: ActionPlan) -> dict:
    rows = {}
    for item in plan.items.all():
        rows[f"measure_{item.answer_id}"] = "Chatt via 1177 för sjuksköterskorna."
        rows[f"responsible_{item.answer_id}"] = "Verksamhetschefen"
        rows[f"due_date_{item.answer_id}"] = _date(45)
    return rows


def _target_form(year_offset: int) -> Callable[[World], dict]:
    return lambda w: {
        "indicator": "baseline",
        "year": timezone.localdate().year + year_offset,
        "value": "80",
        "dimension": "region",
        "dimension_value": "",
        "document": "Mål och budget",
        "document_date": _date(),
    }


def _indicator_form(w: World) -> dict:
    return {
        "name": "Besvarade meddelanden inom ett dygn",
        "description": "",
        "unit": "%",
        "direction": "higher",
        "frequency": "month",
        "target": "95",
    }


def _usage_file(w: World) -> dict:
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    text = f"hsa_id;month;measure;value\n{w.clinic.hsa_id};{month};web_bookings;12\n"
    return {"file": SimpleUploadedFile("användning.csv", text.encode(), "text/csv")}


def _catalogue_file(w: World) -> dict:
    return {
        "file": SimpleUploadedFile(
            REVISION_2_PATH.name, REVISION_2_PATH.read_bytes(), "application/yaml"
        )
    }


def _clinic_a(w: World) -> int:
    return w.clinic.pk


def _report(state: str) -> Callable[[World], int]:
    return lambda w: w.scenario.reports[state].pk


def _case(state: str) -> Callable[[World], int]:
    return lambda w: w.scenario.cases[state].pk


def _draft_case(w: World) -> int:
    return w.draft_case.pk


def _round(w: World) -> int:
    return w.scenario.round.pk


def _indicator(w: World) -> int:
    return w.scenario.clinic_indicator.pk


def _target(w: World) -> int:
    return w.scenario.target.pk


def _upload(w: World) -> int:
    return w.scenario.catalogue_upload.pk


def _recompute(w: World) -> int:
    return w.scenario.recompute.pk


def _case_api(w: World) -> dict:
    return {
        "clinic": w.clinic.pk,
        "requirement": OWN_PLATFORM,
        "exemption_kind": ExemptionKind.OWN_PLATFORM_APPROVAL,
        "reason_category": "technical",
        "justification": "Journalsystemet saknar stöd för direktbokning.",
        "links": ["https://www.1177.se/hitta-vard/underlag/matris"],
        "requested_from": _date(),
        "requested_until": _date(30),
    }


def _approve_api(w: World) -> dict:
    case = w.scenario.cases[CaseState.SUBMITTED]
    return {
        "valid_from": case.requested_from.isoformat(),
        "valid_until": case.requested_until.isoformat(),
        "comment": "Godkänt.",
    }


_COMMENT = {"comment": "Ange vilket journalsystem som saknar stödet."}
_API = "json"

# Every URL name with arguments, or with a write that needs data; a URL name not here is
# reached by reverse(name) and written to with an empty body.
REACH: dict[str, Reach] = {
    "login": Reach(
        lambda w: reverse("login"),
        lambda w: {"username": w.users[VIEWER].username, "password": "ett-bra-losenord-42"},
    ),
    "set_language": Reach(lambda w: reverse("set_language"), lambda w: {"language": "en"}),
    "api_tokens": Reach(lambda w: reverse("api_tokens"), lambda w: {"name": "Uppföljningen"}),
    "api_token_revoke": Reach(
        lambda w: reverse("api_token_revoke", args=[w.scenario.api_token.token_key])
    ),
    "clinic_detail": Reach(_args("clinic_detail", _clinic_a)),
    "clinic_history": Reach(_args("clinic_history", _clinic_a)),
    "report_start": Reach(lambda w: reverse("report_start", args=[w.submitted_plan.clinic_id])),
    "report_edit": Reach(_args("report_edit", _report(ReportState.DRAFT)), _report_edit_data),
    "bulk_answer": Reach(_bulk_answer_url, _bulk_answer_data),
    "bulk_submit": Reach(lambda w: reverse("bulk_submit"), lambda w: {"clinics": [w.clinic.pk]}),
    "review_report": Reach(
        _args("review_report", _report(ReportState.SUBMITTED)),
        lambda w: {"action": "approve", "comment": "Godkänd."},
    ),
    "round_create": Reach(
        lambda w: reverse("round_create"),
        lambda w: {
            "name": "Uppföljning Laholm",
            "deadline": _date(20),
            "scope": "filter",
            "municipality": Municipality.LAHOLM,
        },
    ),
    "round_detail": Reach(_args("round_detail", _round)),
    "round_close": Reach(_args("round_close", _round), lambda w: {"confirm": "on"}),
    "round_remind": Reach(_args("round_remind", _round), lambda w: {"press": str(uuid.uuid4())}),
    "case_create": Reach(lambda w: reverse("case_create"), _case_form),
    "case_detail": Reach(
        _args("case_detail", _case(CaseState.SUBMITTED)),
        lambda w: {"action": "reject", "comment": "Underlaget räcker inte."},
    ),
    "case_edit": Reach(
        _args("case_edit", _draft_case),
        lambda w: _case_form(w, NPO, ExemptionKind.DOCUMENTATION_OTHERWISE_AVAILABLE),
    ),
    "catalogue_preview_start": Reach(
        lambda w: reverse("catalogue_preview_start"), _catalogue_file
    ),
    "catalogue_preview": Reach(_args("catalogue_preview", _upload)),
    "catalogue_preview_import": Reach(_args("catalogue_preview_import", _upload)),
    "clinic_action_plan": Reach(
        _args("clinic_action_plan", _clinic_a),
        lambda w: {"action": "save", **_plan_rows(w.scenario.action_plan)},
    ),
    "review_action_plan": Reach(
        lambda w: reverse("review_action_plan", args=[w.submitted_plan.pk]),
        lambda w: {"action": "accept", "comment": ""},
    ),
    "recompute_start": Reach(lambda w: reverse("recompute_start"), lambda w: {"period": ""}),
    "recompute_detail": Reach(_args("recompute_detail", _recompute)),
    "recompute_status": Reach(_args("recompute_status", _recompute)),
    "usage_import": Reach(lambda w: reverse("usage_import"), _usage_file),
    "target_create": Reach(lambda w: reverse("target_create"), _target_form(1)),
    "target_edit": Reach(_args("target_edit", _target), _target_form(0)),
    "target_delete": Reach(_args("target_delete", _target)),
    "clinic_indicator_create": Reach(_args("clinic_indicator_create", _clinic_a), _indicator_form),
    "clinic_indicator_detail": Reach(
        _args("clinic_indicator_detail", _clinic_a, _indicator),
        lambda w: {**_indicator_form(w), "active": "on"},
    ),
    "clinic_indicator_report": Reach(
        _args("clinic_indicator_report", _clinic_a, _indicator),
        lambda w: {"period": timezone.localdate().strftime("%Y-%m"), "value": "91"},
    ),
    # The API.
    "api:catalogue-version-detail": Reach(
        lambda w: reverse("api:catalogue-version-detail", args=[w.catalogue.pk])
    ),
    "api:clinic-compliance": Reach(_args("api:clinic-compliance", _clinic_a)),
    "api:clinic-indicator-list": Reach(_args("api:clinic-indicator-list", _clinic_a)),
    "api:clinic-detail": Reach(_args("api:clinic-detail", _clinic_a)),
    "api:provider-detail": Reach(
        lambda w: reverse("api:provider-detail", args=[w.clinic.provider_id])
    ),
    "api:case-list": Reach(lambda w: reverse("api:case-list"), _case_api, _API),
    "api:case-detail": Reach(_args("api:case-detail", _case(CaseState.SUBMITTED))),
    "api:case-approve": Reach(
        _args("api:case-approve", _case(CaseState.SUBMITTED)), _approve_api, _API
    ),
    "api:case-reject": Reach(
        _args("api:case-reject", _case(CaseState.SUBMITTED)), lambda w: _COMMENT, _API
    ),
    "api:case-return": Reach(
        _args("api:case-return", _case(CaseState.SUBMITTED)), lambda w: _COMMENT, _API
    ),
    "api:case-revoke": Reach(
        _args("api:case-revoke", _case(CaseState.APPROVED)), lambda w: _COMMENT, _API
    ),
    "api:case-submit": Reach(_args("api:case-submit", _draft_case), lambda w: {}, _API),
}


def reach(name: str) -> Reach:
    default_format = _API if name.startswith("api:") else "multipart"
    return REACH.get(name) or Reach(lambda w: reverse(name), format=default_format)


# --- What a refused write must leave as it was ----------------------------------------------


def _fingerprint_tables() -> list[str]:
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in FINGERPRINT_APPS and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return sorted(tables)


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table of the app's models (their history and m2m
    tables included), table by table: a refused write must leave each one as it was."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One round trip, the server digests: this runs after each of ~500 writes.
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                    f" FROM {quote(table)} t"
                    for table in _fingerprint_tables()
                ),
                _fingerprint_tables(),
            )
            return dict(cursor.fetchall())
        digests = {}
        for table in _fingerprint_tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")
            digests[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
        return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        table for table in before.keys() | after.keys() if before.get(table) != after.get(table)
    )

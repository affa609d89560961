"""Builders for the API tests: signed-in clients, approved reports, a second catalogue."""

from datetime import date, timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from clinics.models import Answer, Clinic, Report, ReportState, Role, User
from clinics.services.api_tokens import create_api_token
from clinics.services.reports import approve_report, save_answer, start_report, submit_report
from clinics.timeline import rebuild_all, rewrite_timelines
from requirements.compliance import ClinicCompliance, ReportedAnswer, evaluate
from requirements.models import Area, CatalogueVersion, Requirement
from requirements.selectors import catalogue_rules
from requirements.vocabulary import AnswerStatus, Channel
from tests.factories import make_user


def client_for(user: User | None) -> APIClient:
    """A client signed in with a session, as the browser and Swagger UI are."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def token_client_for(user: User) -> APIClient:
    """A client with a new API key of the user's, made as the API keys page makes one.
    Every API test gets its key here."""
    name = f"Testnyckel {user.auth_token_set.count() + 1}"
    return key_client(create_api_token(user=user, name=name).key)


def key_client(key: str) -> APIClient:
    """A client sending ``Authorization: Token <key>``, as the follow-up systems do."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def approve_answers(
    clinic: Clinic,
    statuses: dict[str, str] | None = None,
    *,
    default: str = AnswerStatus.MET,
    reviewer: User | None = None,
) -> Report:
    """Report every requirement of the catalogue in force through the services, then
    approve: ``default`` unless ``statuses`` names another status for the code."""
    statuses = statuses or {}
    reporter = make_user(Role.CLINIC_REPORTER, clinics=[clinic])
    report = start_report(clinic=clinic, actor=reporter)
    for requirement in report.catalogue_version.requirements.order_by("position"):
        status = statuses.get(requirement.code, default)
        save_answer(
            report=report,
            requirement=requirement,
            actor=reporter,
            status=status,
            channel=Channel.E_SERVICES_1177 if requirement.asks_channel else "",
            evidence_url=f"https://www.1177.se/underlag/{requirement.code}",
            comment=f"Kommentar om {requirement.code}",
            justification="Tjänsten ges inte här."
            if status == AnswerStatus.NOT_APPLICABLE
            else "",
        )
    submit_report(report=report, actor=reporter)
    return approve_report(
        report=report, actor=reviewer or make_user(Role.REVIEWER), comment="Godkänd."
    )


def bulk_approved_reports(
    clinics: list[Clinic], version: CatalogueVersion, *, failing: set[int] = frozenset()
) -> None:
    """An approved report per clinic, straight into the tables (for volume): every
    requirement met, except one not met for the clinics whose ids are in ``failing``."""
    reporter = make_user(Role.CLINIC_REPORTER)
    decided_at = timezone.now() - timedelta(days=1)
    # Each becomes its clinic's latest report, as the services that start reports do.
    Report.objects.filter(clinic__in=clinics, is_latest=True).update(is_latest=False)
    reports = Report.objects.bulk_create(
        Report(
            clinic=clinic,
            catalogue_version=version,
            state=ReportState.APPROVED,
            submitted_at=decided_at,
            submitted_by=reporter,
            decided_at=decided_at,
            is_latest=True,
        )
        for clinic in clinics
    )
    requirements = list(version.requirements.filter(area__in_baseline=True))
    Answer.objects.bulk_create(
        Answer(
            report=report,
            requirement=requirement,
            status=(
                AnswerStatus.NOT_MET
                if report.clinic_id in failing and requirement == requirements[0]
                else AnswerStatus.MET
            ),
            reported_by=reporter,
            reported_at=decided_at,
        )
        for report in reports
        for requirement in requirements
    )
    # Straight into the tables, past the services: the timelines are rewritten here.
    rewrite_timelines(clinic.pk for clinic in clinics)


def make_catalogue_version(*, effective_from: date, revision: int) -> CatalogueVersion:
    """A small catalogue version of one area with two requirements."""
    version = CatalogueVersion.objects.create(
        decision_id="RS220477",
        decision_date=effective_from - timedelta(days=30),
        effective_from=effective_from,
        title=f"Digitalt utbud, revision {revision}",
        revision=revision,
        content_hash=f"{revision:064d}",
        source_name="test",
    )
    area = Area.objects.create(
        version=version, code="hemsida", name_sv="Hemsida", name_en="Web page", position=1
    )
    for position, code in enumerate(["hemsida.sida_1177", "hemsida.tillganglighet"], start=1):
        Requirement.objects.create(
            version=version,
            area=area,
            code=code,
            name_sv=f"Krav {code}",
            name_en=f"Requirement {code}",
            decision_section="Digitalt utbud",
            position=position,
        )
    # Stored past the importer (which signals it): judge every clinic against it.
    rebuild_all()
    return version


def expected_compliance(
    clinic: Clinic,
    version: CatalogueVersion,
    statuses: dict[str, str],
    on_date: date,
    *,
    default: str = AnswerStatus.MET,
) -> ClinicCompliance:
    """What the pure rules say for the answers ``approve_answers`` gave, without the
    database's help beyond reading the catalogue."""
    answers = {
        requirement.code: ReportedAnswer(
            requirement.code,
            AnswerStatus(statuses.get(requirement.code, default)),
            "Tjänsten ges inte här."
            if statuses.get(requirement.code, default) == AnswerStatus.NOT_APPLICABLE
            else "",
        )
        for requirement in version.requirements.all()
    }
    return evaluate(catalogue_rules(version), clinic.profile(), answers, (), on_date)


def error_fields(response) -> dict[str | None, list[str]]:
    """An error response's details by the field or parameter they name (``None`` for the
    request as a whole), from the one body every API error has (halland_utbud.api)."""
    body = response.json()
    assert set(body) == {"type", "errors"}, body
    fields: dict[str | None, list[str]] = {}
    for error in body["errors"]:
        assert error["code"], error
        assert error["detail"], error
        fields.setdefault(error["attr"], []).append(error["detail"])
    return fields


def error_detail(response) -> str:
    """The one message of an error response that is not about a field (401, 403, 404,
    409, 429)."""
    [detail] = error_fields(response)[None]
    return detail

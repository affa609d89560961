"""The clinic page and its history tab: who may open them, what they show, and that they
cost a constant number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from clinics.models import Answer, Report, ReportState, Role
from clinics.services.cases import approve_case, create_case, submit_case
from clinics.services.reports import (
    approve_report,
    return_report,
    save_answer,
    start_report,
    submit_report,
)
from clinics.templatetags.status import answer_badge, compliance_badge, report_badge
from requirements.models import Area, Requirement
from requirements.vocabulary import AnswerStatus, Channel, ComplianceStatus, ExemptionKind
from tests.api.helpers import make_catalogue_version
from tests.factories import make_clinic, make_provider, make_user

COMPLIANT = "hemsida.sida_1177"
NOT_COMPLIANT = "npo.ansluten"
NOT_APPLICABLE = "etjanster.egenremiss"
JUSTIFICATION = "Mottagningen tar inte emot egenremisser."
REVIEW_COMMENT = "Länken till underlaget fungerade inte först."


def detail_url(clinic) -> str:
    return reverse("clinic_detail", args=[clinic.pk])


def history_url(clinic) -> str:
    return reverse("clinic_history", args=[clinic.pk])


def row_containing(content: str, text: str) -> str:
    """The table row that mentions ``text``: the assertions look at one requirement."""
    for row in re.findall(r"<tr>.*?</tr>", content, flags=re.DOTALL):
        if text in row:
            return row
    raise AssertionError(f"no table row mentions {text!r}")


def answer_everything(report, reporter, statuses=None):
    statuses = statuses or {}
    for requirement in report.catalogue_version.requirements.order_by("position"):
        status = statuses.get(requirement.code, AnswerStatus.MET)
        save_answer(
            report=report,
            requirement=requirement,
            actor=reporter,
            status=status,
            channel=Channel.E_SERVICES_1177 if requirement.asks_channel else "",
            evidence_url=f"https://www.1177.se/underlag/{requirement.code}",
            comment=f"Kommentar om {requirement.code}",
            justification=JUSTIFICATION if status == AnswerStatus.NOT_APPLICABLE else "",
        )


def reviewed_and_approved(clinic, reporter, reviewer) -> Report:
    """A report returned once with a comment on one answer, corrected and then approved,
    all through the services, as it happens in the browser."""
    report = start_report(clinic=clinic, actor=reporter)
    answer_everything(
        report,
        reporter,
        {NOT_COMPLIANT: AnswerStatus.NOT_MET, NOT_APPLICABLE: AnswerStatus.NOT_APPLICABLE},
    )
    submit_report(report=report, actor=reporter)
    commented = report.answers.get(requirement__code=COMPLIANT)
    return_report(
        report=report,
        actor=reviewer,
        comment="Komplettera underlaget.",
        answer_comments={commented.pk: REVIEW_COMMENT},
    )
    submit_report(report=report, actor=reporter)
    return approve_report(report=report, actor=reviewer, comment="Godkänd.")


@pytest.fixture
def approved(catalogue, clinic, reporter, reviewer) -> Report:
    return reviewed_and_approved(clinic, reporter, reviewer)


class TestWhoMaySeeTheClinicPages:
    @pytest.mark.parametrize("url", [detail_url, history_url])
    def test_anonymous_users_are_sent_to_sign_in(self, client, clinic, url):
        response = client.get(url(clinic))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert url(clinic) in response.url

    @pytest.mark.parametrize("url", [detail_url, history_url])
    @pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
    def test_regional_staff_see_every_clinic(self, client, catalogue, clinic, role, url):
        client.force_login(make_user(role))
        assert client.get(url(clinic)).status_code == 200

    @pytest.mark.parametrize("url", [detail_url, history_url])
    def test_a_clinic_reporter_sees_their_own_clinic(
        self, client, catalogue, clinic, reporter, url
    ):
        client.force_login(reporter)
        assert client.get(url(clinic)).status_code == 200

    @pytest.mark.parametrize("url", [detail_url, history_url])
    def test_a_clinic_reporter_gets_404_for_another_clinic(
        self, client, catalogue, other_clinic, reporter, url
    ):
        client.force_login(reporter)
        assert client.get(url(other_clinic)).status_code == 404

    @pytest.mark.parametrize("url", [detail_url, history_url])
    def test_a_provider_coordinator_sees_every_clinic_of_the_provider_and_no_other(
        self, client, catalogue, clinic, other_clinic, url
    ):
        sibling = make_clinic(provider=clinic.provider)
        coordinator = make_user(Role.CLINIC_REPORTER, providers=[clinic.provider])
        client.force_login(coordinator)
        assert client.get(url(clinic)).status_code == 200
        assert client.get(url(sibling)).status_code == 200
        assert client.get(url(other_clinic)).status_code == 404

    def test_a_clinic_that_does_not_exist_is_404(self, client, viewer, db):
        client.force_login(viewer)
        assert client.get(reverse("clinic_detail", args=[999999])).status_code == 404


class TestTheClinicPage:
    def test_it_shows_the_clinics_facts(self, client, catalogue, clinic, viewer):
        client.force_login(viewer)
        content = client.get(detail_url(clinic)).content.decode()
        assert '<dl class="facts">' in content
        assert clinic.hsa_id in content
        assert clinic.provider.name in content
        assert clinic.provider.organisation_number in content
        assert f'href="{clinic.url_1177}"' in content

    def test_it_shows_a_heading_for_every_area_with_the_general_requirements_last(
        self, client, catalogue, clinic, viewer
    ):
        client.force_login(viewer)
        content = client.get(detail_url(clinic)).content.decode()
        headings = re.findall(r'<h2 id="area-([\w-]+)">', content)
        areas = list(Area.objects.filter(version=catalogue).order_by("position"))
        expected = [a.code for a in areas if a.in_baseline] + [
            a.code for a in areas if not a.in_baseline
        ]
        assert headings == expected
        assert headings[-1] == "generella"
        for area in areas:
            assert area.name_sv in content

    def test_it_shows_every_requirement_with_its_status_answer_and_comments(
        self, client, approved, clinic, viewer
    ):
        client.force_login(viewer)
        content = client.get(detail_url(clinic)).content.decode()
        for requirement in Requirement.objects.filter(version=approved.catalogue_version):
            assert requirement.name_sv in content

        compliant = row_containing(content, Requirement.objects.get(code=COMPLIANT).name_sv)
        assert compliance_badge(ComplianceStatus.COMPLIANT) in compliant
        assert answer_badge(AnswerStatus.MET) in compliant
        assert f"https://www.1177.se/underlag/{COMPLIANT}" in compliant
        assert f"Kommentar om {COMPLIANT}" in compliant
        assert '<div class="review-comment">' in compliant
        assert REVIEW_COMMENT in compliant

        failing = row_containing(content, Requirement.objects.get(code=NOT_COMPLIANT).name_sv)
        assert compliance_badge(ComplianceStatus.NOT_COMPLIANT) in failing
        assert answer_badge(AnswerStatus.NOT_MET) in failing

        not_applicable = row_containing(
            content, Requirement.objects.get(code=NOT_APPLICABLE).name_sv
        )
        assert compliance_badge(ComplianceStatus.NOT_APPLICABLE) in not_applicable
        assert answer_badge(AnswerStatus.NOT_APPLICABLE) in not_applicable
        assert JUSTIFICATION in not_applicable

    def test_it_shows_an_exemption_that_makes_a_requirement_compliant(
        self, client, approved, clinic, reporter, reviewer, viewer
    ):
        today = timezone.localdate()
        case = create_case(
            clinic=clinic,
            requirement=approved.catalogue_version.requirements.get(code=NOT_COMPLIANT),
            actor=reporter,
            exemption_kind=ExemptionKind.DOCUMENTATION_OTHERWISE_AVAILABLE,
            reason_category="technical",
            justification="Journalen når NPÖ via den regionala tjänsteplattformen.",
            requested_from=today - timedelta(days=30),
            requested_until=today + timedelta(days=30),
        )
        submit_case(case=case, actor=reporter)
        grant = approve_case(
            case=case,
            actor=reviewer,
            valid_from=case.requested_from,
            valid_until=case.requested_until,
        )
        client.force_login(viewer)
        content = client.get(detail_url(clinic)).content.decode()
        row = row_containing(content, Requirement.objects.get(code=NOT_COMPLIANT).name_sv)
        assert compliance_badge(ComplianceStatus.COMPLIANT_BY_EXEMPTION) in row
        assert str(ExemptionKind.DOCUMENTATION_OTHERWISE_AVAILABLE.label) in row
        assert date_format(grant.valid_until, "SHORT_DATE_FORMAT") in row

    def test_the_evidence_link_opens_normally_and_says_what_it_is(
        self, client, approved, clinic, viewer
    ):
        client.force_login(viewer)
        content = client.get(detail_url(clinic)).content.decode()
        row = row_containing(content, Requirement.objects.get(code=COMPLIANT).name_sv)
        link = re.search(r'<a href="https://www.1177.se/underlag/[^"]+"[^>]*>(.*?)</a>', row)
        assert link is not None
        assert "target=" not in link.group(0)
        assert Requirement.objects.get(code=COMPLIANT).name_sv in link.group(1)

    def test_it_names_the_approved_report_the_answers_come_from(
        self, client, approved, clinic, viewer, reviewer
    ):
        client.force_login(viewer)
        content = client.get(detail_url(clinic)).content.decode()
        assert reviewer.username in content
        assert "Godkänd." in content

    def test_without_an_approved_report_nothing_is_reported(
        self, client, catalogue, clinic, viewer
    ):
        client.force_login(viewer)
        content = client.get(detail_url(clinic)).content.decode()
        row = row_containing(content, Requirement.objects.get(code=COMPLIANT).name_sv)
        assert compliance_badge(ComplianceStatus.NOT_REPORTED) in row

    def test_it_shows_the_state_of_the_report_in_progress(
        self, client, approved, clinic, reporter, viewer
    ):
        report = start_report(clinic=clinic, actor=reporter)
        submit_report(report=report, actor=reporter)
        client.force_login(viewer)
        content = client.get(detail_url(clinic)).content.decode()
        assert str(report_badge(ReportState.SUBMITTED)) in content
        # The regional staff have no report form of their own to go to.
        assert reverse("report_edit", args=[report.pk]) not in content

    def test_a_clinic_reporter_gets_a_link_to_their_report(
        self, client, approved, clinic, reporter
    ):
        report = start_report(clinic=clinic, actor=reporter)
        client.force_login(reporter)
        content = client.get(detail_url(clinic)).content.decode()
        assert str(report_badge(ReportState.DRAFT)) in content
        assert f'href="{reverse("report_edit", args=[report.pk])}"' in content

    def test_a_clinic_reporter_without_a_report_in_progress_may_start_one(
        self, client, approved, clinic, reporter
    ):
        client.force_login(reporter)
        content = client.get(detail_url(clinic)).content.decode()
        assert f'action="{reverse("report_start", args=[clinic.pk])}"' in content

    def test_a_reviewer_gets_a_link_to_review_a_submitted_report(
        self, client, approved, clinic, reporter
    ):
        report = start_report(clinic=clinic, actor=reporter)
        submit_report(report=report, actor=reporter)
        client.force_login(make_user(Role.REVIEWER))
        content = client.get(detail_url(clinic)).content.decode()
        assert f'href="{reverse("review_report", args=[report.pk])}"' in content

    def test_a_reviewer_who_took_part_in_the_report_gets_no_link_to_review_it(
        self, client, approved, clinic, reporter
    ):
        report = start_report(clinic=clinic, actor=reporter)
        submit_report(report=report, actor=reporter)
        reporter.role = Role.REVIEWER
        reporter.save()
        client.force_login(reporter)
        content = client.get(detail_url(clinic)).content.decode()
        assert reverse("review_report", args=[report.pk]) not in content

    def test_it_issues_as_many_queries_for_forty_requirements_as_for_two(
        self, client, approved, clinic, reporter, viewer
    ):
        # A report in progress too, so every part of the page has something to show.
        start_report(clinic=clinic, actor=reporter)
        client.force_login(viewer)
        client.get(detail_url(clinic))  # warm up: session, content types
        with CaptureQueriesContext(connection) as full:
            response = client.get(detail_url(clinic))
        assert response.status_code == 200
        assert approved.catalogue_version.requirements.count() > 40

        # A later catalogue version of two requirements is now in force.
        make_catalogue_version(effective_from=timezone.localdate() - timedelta(days=1), revision=2)
        with CaptureQueriesContext(connection) as small:
            response = client.get(detail_url(clinic))
        assert response.status_code == 200
        assert len(response.context["page"].sections[0].rows) == 2
        assert len(full) == len(small), [q["sql"] for q in full]

    def test_it_issues_a_fixed_number_of_queries(self, client, approved, clinic, viewer):
        client.force_login(viewer)
        client.get(detail_url(clinic))
        # session, user, clinic; reports in progress and approved; catalogue version,
        # areas, requirements; compliance (clinic, answers, exemptions); the approved
        # answers; the cases; the action plan.
        with CaptureQueriesContext(connection) as queries:
            client.get(detail_url(clinic))
        assert len(queries) <= 15, [q["sql"] for q in queries]


def rename(clinic, name, actor):
    clinic.name = name
    clinic._history_user = actor
    clinic.save()


class TestTheHistoryTab:
    def test_it_shows_a_renamed_clinic_with_old_and_new_name_and_who(
        self, client, catalogue, clinic, region_admin, viewer
    ):
        old_name = clinic.name
        rename(clinic, "Vårdcentralen Nya Namnet", region_admin)
        client.force_login(viewer)
        content = client.get(history_url(clinic)).content.decode()
        row = row_containing(content, "Vårdcentralen Nya Namnet")
        assert old_name in row
        assert row.index(old_name) < row.index("Vårdcentralen Nya Namnet")
        assert region_admin.username in row

    def test_it_shows_choice_fields_by_their_labels(
        self, client, catalogue, clinic, region_admin, viewer
    ):
        clinic.municipality_code = "1383"
        clinic._history_user = region_admin
        clinic.save()
        client.force_login(viewer)
        content = client.get(history_url(clinic)).content.decode()
        row = row_containing(content, "Varberg")
        assert "Halmstad" in row

    def test_it_shows_a_change_of_provider_by_name(
        self, client, catalogue, clinic, region_admin, viewer
    ):
        old_provider = clinic.provider
        clinic.provider = make_provider(name="Nya Vårdgivaren AB")
        clinic._history_user = region_admin
        clinic.save()
        client.force_login(viewer)
        content = client.get(history_url(clinic)).content.decode()
        row = row_containing(content, "Nya Vårdgivaren AB")
        assert old_provider.name in row

    def test_it_shows_report_transitions_with_who_and_the_comment(
        self, client, approved, clinic, reporter, reviewer, viewer
    ):
        client.force_login(viewer)
        content = client.get(history_url(clinic)).content.decode()
        submitted = report_badge(ReportState.SUBMITTED)
        approved_badge = report_badge(ReportState.APPROVED)
        approval = row_containing(content, str(approved_badge))
        assert submitted in approval
        assert reviewer.username in approval
        assert "Godkänd." in approval
        returned = row_containing(content, "Komplettera underlaget.")
        assert reviewer.username in returned
        submission = row_containing(content, f"{report_badge(ReportState.DRAFT)}")
        assert reporter.username in submission

    def test_it_shows_an_answer_change_with_old_and_new_status(
        self, client, catalogue, clinic, reporter, viewer
    ):
        report = start_report(clinic=clinic, actor=reporter)
        requirement = Requirement.objects.get(version=catalogue, code=NOT_COMPLIANT)
        save_answer(
            report=report, requirement=requirement, actor=reporter, status=AnswerStatus.NOT_MET
        )
        save_answer(
            report=report, requirement=requirement, actor=reporter, status=AnswerStatus.MET
        )
        client.force_login(viewer)
        response = client.get(history_url(clinic))
        content = response.content.decode()
        rows = [
            row
            for row in re.findall(r"<tr>.*?</tr>", content, flags=re.DOTALL)
            if requirement.name_sv in row
        ]
        # Newest first: the change, then the first answer.
        assert len(rows) == 2
        assert str(AnswerStatus.NOT_MET.label) in rows[0]
        assert str(AnswerStatus.MET.label) in rows[0]
        assert rows[0].index(str(AnswerStatus.NOT_MET.label)) < rows[0].rindex(
            str(AnswerStatus.MET.label)
        )
        assert reporter.username in rows[0]

    def test_it_lists_the_newest_change_first(
        self, client, catalogue, clinic, region_admin, viewer
    ):
        rename(clinic, "Första nya namnet", region_admin)
        rename(clinic, "Andra nya namnet", region_admin)
        client.force_login(viewer)
        entries = client.get(history_url(clinic)).context["entries"]
        assert [entry.at for entry in entries] == sorted(
            (entry.at for entry in entries), reverse=True
        )
        assert entries[0].changes[0].new == "Andra nya namnet"

    def test_it_paginates_fifty_changes_a_page(
        self, client, approved, clinic, region_admin, viewer
    ):
        # The reviewed report left some fifty answers and transitions; a few renames more.
        for n in range(5):
            rename(clinic, f"Vårdcentralen {n}", region_admin)
        client.force_login(viewer)
        first = client.get(history_url(clinic))
        total = first.context["paginator"].count
        assert total > 50
        assert len(first.context["entries"]) == 50
        assert "?page=2" in first.content.decode()
        second = client.get(history_url(clinic), {"page": 2})
        assert len(second.context["entries"]) == total - 50

    def test_it_issues_as_many_queries_for_thirty_changes_as_for_three(
        self, client, catalogue, clinic, reporter, viewer
    ):
        admins = [make_user(Role.REGION_ADMIN) for _ in range(3)]
        report = start_report(clinic=clinic, actor=reporter)
        requirements = list(Requirement.objects.filter(version=catalogue).order_by("position"))

        def make_changes(start: int, count: int) -> None:
            # Every kind of change, each by a different person.
            for n in range(start, start + count):
                if n % 3 == 0:
                    rename(clinic, f"Vårdcentralen {n}", admins[n % len(admins)])
                else:
                    save_answer(
                        report=report,
                        requirement=requirements[n],
                        actor=reporter,
                        status=AnswerStatus.NOT_MET,
                    )

        make_changes(0, 3)
        client.force_login(viewer)
        client.get(history_url(clinic))
        with CaptureQueriesContext(connection) as few:
            response = client.get(history_url(clinic))
        few_entries = response.context["paginator"].count

        make_changes(3, 27)
        with CaptureQueriesContext(connection) as many:
            response = client.get(history_url(clinic))
        assert response.context["paginator"].count >= few_entries + 27
        assert len(few) == len(many), [q["sql"] for q in many]


@pytest.mark.django_db
def test_answers_of_reports_in_progress_do_not_count_on_the_clinic_page(
    client, approved, clinic, reporter, viewer
):
    """The page shows the approved answers; a draft does not change the clinic's status."""
    report = start_report(clinic=clinic, actor=reporter)
    save_answer(
        report=report,
        requirement=Requirement.objects.get(
            version=approved.catalogue_version, code=NOT_COMPLIANT
        ),
        actor=reporter,
        status=AnswerStatus.MET,
    )
    client.force_login(viewer)
    content = client.get(detail_url(clinic)).content.decode()
    row = row_containing(content, Requirement.objects.get(code=NOT_COMPLIANT).name_sv)
    assert compliance_badge(ComplianceStatus.NOT_COMPLIANT) in row
    assert Answer.objects.filter(report=report).count() > 1

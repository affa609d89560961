"""seed_demo: a realistic, deterministic Halland register with reports and one login per role."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation

from clinics.demo import DEMO_PASSWORD, plan_accounts, plan_register
from clinics.models import Answer, Clinic, Provider, Report, ReportEvent, ReportState, Role, User
from requirements.identifiers import hsa_id_error, organisation_number_error
from requirements.models import CatalogueVersion
from requirements.vocabulary import AnswerStatus, CareType, ClinicKind, Municipality, ProviderKind
from tests.seeded import built_once

REGION_PREFIX = "SE2321000115-"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, the msgid language; Swedish comes from the .po."""
    with translation.override("en"):
        yield


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def _seeded_register(django_db_setup, django_db_blocker):
    yield from built_once(
        django_db_blocker, lambda: seed("--clinics", "300", "--seed", "7"), language="en"
    )


@pytest.fixture
def demo(_seeded_register, catalogue):
    """The output of seeding 300 clinics; the register is seeded once for the class."""
    return _seeded_register


class Rollback(Exception):
    pass


def snapshot() -> tuple[list, list]:
    clinics = sorted(Clinic.objects.values_list("hsa_id", "name", "kind"))
    answers = sorted(
        Answer.objects.values_list(
            "report__clinic__hsa_id",
            "report__state",
            "report__created_at",
            "requirement__code",
            "status",
            "channel",
            "justification",
            "comment",
        )
    )
    return clinics, answers


def test_the_same_seed_gives_the_same_hsa_ids_and_answers(catalogue):
    try:
        with transaction.atomic():
            seed("--clinics", "40", "--seed", "11")
            first = snapshot()
            raise Rollback
    except Rollback:
        pass
    assert not Clinic.objects.exists()

    seed("--clinics", "40", "--seed", "11")

    assert snapshot() == first
    assert len(first[0]) == 40
    assert len(first[1]) > 40 * 20


def test_another_seed_gives_another_register():
    first = {clinic.hsa_id for clinic in plan_register(clinics=150, seed=1).clinics}
    second = {clinic.hsa_id for clinic in plan_register(clinics=150, seed=2).clinics}

    assert first != second


class TestTheSeededRegister:
    """Read-only checks of one register of 300 clinics, seeded once for them all."""

    def test_it_covers_the_six_municipalities_and_every_kind_of_clinic(self, demo):
        clinics = Clinic.objects.select_related("provider")

        assert clinics.count() == 300
        assert set(clinics.values_list("municipality_code", flat=True)) == set(Municipality.values)
        region = [c for c in clinics if c.provider.organisation_number == "232100-0115"]
        private = [c for c in clinics if c.provider.kind == ProviderKind.PRIVATE]
        region_kinds = Counter(c.kind for c in region)
        assert region_kinds[ClinicKind.VARDCENTRAL] >= 40
        assert region_kinds[ClinicKind.GENERAL_DENTAL] >= 30
        assert region_kinds[ClinicKind.ORTHODONTICS] >= 4
        assert region_kinds[ClinicKind.SPECIALIST] >= 20
        assert region_kinds[ClinicKind.PSYCHIATRY] >= 12
        assert region_kinds[ClinicKind.BUP] >= 6
        assert region_kinds[ClinicKind.PATIENTNAMNDEN] == 1
        assert region_kinds[ClinicKind.VARDGARANTISERVICE] == 1
        names = {c.name for c in region}
        assert any(n.startswith("Vårdcentralen ") for n in names)
        assert any(n.startswith("Folktandvården Tandreglering ") for n in names)
        assert {f"Hallands sjukhus {site}" for site in ("Halmstad", "Varberg", "Kungsbacka")} <= {
            n.split(",")[0] for n in names
        }
        assert any(n.startswith("Psykiatri Halland, BUP") for n in names)
        assert {c.kind for c in private} >= {ClinicKind.VARDCENTRAL, ClinicKind.GENERAL_DENTAL}
        assert {c.contract_form for c in private if c.care_type == CareType.DENTAL} == {
            "vardval",
            "procured",
        }
        assert Provider.objects.filter(kind=ProviderKind.PRIVATE).count() >= 10

    def test_hsa_ids_and_organisation_numbers_are_valid_and_follow_the_provider(self, demo):
        for clinic in Clinic.objects.select_related("provider"):
            assert hsa_id_error(clinic.hsa_id) is None, clinic.hsa_id
            own_prefix = "SE" + clinic.provider.organisation_number.replace("-", "") + "-"
            assert clinic.hsa_id.startswith(own_prefix)
            assert clinic.url_1177.startswith("https://www.1177.se/hitta-vard/kontaktkort/")
        for org_nr in Provider.objects.values_list("organisation_number", flat=True):
            assert organisation_number_error(org_nr) is None, org_nr
        assert Clinic.objects.filter(hsa_id__startswith=REGION_PREFIX).count() > 150

    def test_it_creates_one_demo_login_per_role(self, demo):
        expected = {
            "admin": Role.REGION_ADMIN,
            "granskare": Role.REVIEWER,
            "rapportor": Role.CLINIC_REPORTER,
            "samordnare": Role.CLINIC_REPORTER,
            "lasare": Role.VIEWER,
        }
        users = {u.username: u for u in User.objects.filter(username__in=expected)}

        assert {name: user.role for name, user in users.items()} == expected
        assert all(user.check_password(DEMO_PASSWORD) for user in users.values())
        assert users["admin"].is_superuser
        own_clinic = users["rapportor"].clinics.get()
        assert (own_clinic.kind, own_clinic.provider.kind) == (ClinicKind.VARDCENTRAL, "region")
        assert users["samordnare"].providers.get().kind == ProviderKind.PRIVATE
        for username in expected:
            assert username in demo
        assert DEMO_PASSWORD in demo

    def test_every_answer_respects_the_catalogue(self, demo):
        answers = Answer.objects.select_related("requirement")

        assert not answers.filter(
            status=AnswerStatus.NOT_APPLICABLE, requirement__may_be_not_applicable=False
        ).exists()
        assert not answers.filter(status=AnswerStatus.NOT_APPLICABLE, justification="").exists()
        assert not answers.exclude(channel="").filter(requirement__asks_channel=False).exists()
        assert (
            not answers.exclude(evidence_url="")
            .exclude(evidence_url__startswith="https://")
            .exists()
        )
        statuses = Counter(answers.values_list("status", flat=True))
        assert statuses[AnswerStatus.MET] > statuses[AnswerStatus.PARTIALLY_MET] > 0
        assert statuses[AnswerStatus.NOT_MET] > 0
        assert statuses[AnswerStatus.NOT_APPLICABLE] > 0

    def test_most_clinics_have_an_approved_report_and_some_are_still_working(self, demo):
        clinics = Clinic.objects.count()
        approved = Clinic.objects.filter(reports__state=ReportState.APPROVED).distinct().count()
        open_reports = Report.objects.exclude(state=ReportState.APPROVED).count()
        without = Clinic.objects.filter(reports__isnull=True).count()

        assert 0.75 * clinics <= approved <= 0.95 * clinics
        assert 0.08 * clinics <= open_reports <= 0.25 * clinics
        assert 0 < without <= 0.1 * clinics
        # The demo closes no reporting round, so no report is frozen by one.
        assert set(Report.objects.values_list("state", flat=True)) == set(ReportState.values) - {
            ReportState.CLOSED
        }

    def test_every_report_has_the_events_of_its_life_by_the_right_people(self, demo):
        reviewer = User.objects.get(username="granskare")
        version = CatalogueVersion.objects.get()
        for report in Report.objects.prefetch_related("events"):
            events = [(e.from_state, e.to_state) for e in report.events.all()]
            assert events[0] == ("", ReportState.DRAFT)
            assert events[-1][1] == report.state
            assert report.catalogue_version == version
            assert [e.at for e in report.events.all()] == sorted(e.at for e in report.events.all())
            if report.state == ReportState.APPROVED:
                assert report.decided_by == reviewer
                assert report.created_at <= report.submitted_at <= report.decided_at
                assert report.events.last().actor == reviewer
        # Four eyes: the reviewer answered nothing.
        assert not Answer.objects.filter(reported_by=reviewer).exists()
        assert ReportEvent.objects.filter(to_state=ReportState.APPROVED).count() == (
            Report.objects.filter(state=ReportState.APPROVED).count()
        )


def test_if_empty_does_nothing_the_second_time(catalogue):
    seed("--clinics", "20", "--if-empty")

    output = seed("--clinics", "20", "--if-empty")

    assert "already has clinics" in output
    assert Clinic.objects.count() == 20
    assert User.objects.filter(username="admin").count() == 1


def test_without_if_empty_a_register_with_clinics_is_refused(catalogue, clinic):
    with pytest.raises(CommandError, match="already has clinics"):
        seed("--clinics", "20")


def test_it_imports_the_catalogue_when_none_is_in_force(db):
    seed("--clinics", "20")

    assert CatalogueVersion.objects.count() == 1
    assert Answer.objects.exists()


def test_a_national_register_scales_the_mix_and_keeps_hsa_ids_unique():
    plan = plan_register(clinics=20000, seed=3)

    assert len(plan.clinics) == 20000
    assert len({clinic.hsa_id for clinic in plan.clinics}) == 20000
    assert len({provider.org_nr for provider in plan.providers}) == len(plan.providers)
    kinds = Counter(clinic.kind for clinic in plan.clinics)
    assert kinds[ClinicKind.VARDCENTRAL] > 5000
    assert kinds[ClinicKind.PATIENTNAMNDEN] == 1


def test_the_accounts_plan_gives_every_clinic_one_reporter_without_a_database():
    plan = plan_register(clinics=150, seed=1)

    accounts = plan_accounts(plan, taken=set())

    usernames = [login.username for login in accounts.logins]
    usernames += [account.username for account in accounts.accounts]
    assert len(usernames) == len(set(usernames))
    assert all(login.created for login in accounts.logins)
    assert accounts.reviewer == "granskare"
    reporters = {accounts.reporter_for(clinic) for clinic in plan.clinics}
    assert reporters <= set(usernames) - {"admin", "granskare", "lasare"}
    own_clinic = next(c for c in plan.clinics if accounts.reporter_for(c) == "rapportor")
    assert own_clinic.kind == ClinicKind.VARDCENTRAL
    assert not own_clinic.is_private
    assert plan_accounts(plan, taken=set()) == accounts


def test_a_taken_demo_username_is_left_as_it_was_and_an_account_does_its_work():
    plan = plan_register(clinics=150, seed=1)

    accounts = plan_accounts(plan, taken={"granskare", "rapportor", "samordnare"})

    assert {login.username for login in accounts.logins if not login.created} == {
        "granskare",
        "rapportor",
        "samordnare",
    }
    assert accounts.reviewer == "demo-granskning"
    assert "demo-granskning" in {account.username for account in accounts.accounts}
    reporters = {accounts.reporter_for(clinic) for clinic in plan.clinics}
    assert reporters.isdisjoint({"rapportor", "samordnare", "granskare"})
    assert "demo-vardcentralen-halland" in reporters

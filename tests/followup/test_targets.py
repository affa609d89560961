"""Yearly targets: the straight line that says whether an indicator is on track, the one
service that sets them, and their pages, for region admins only to change."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinics.models import Role
from followup.models import Target
from followup.periods import Period
from followup.snapshots import take_snapshots
from followup.targets import progress, save_target
from followup.vocabulary import Direction
from halland_utbud.errors import ApplicationError, NotAllowed
from tests.api.helpers import bulk_approved_reports
from tests.factories import make_clinic, make_provider, make_user
from tests.followup.test_overview_page import bulk_clinics

YEAR = 2026
TARGETS = reverse("target_list")
CREATE = reverse("target_create")

# The line


def test_on_track_is_at_least_where_the_line_from_the_start_of_the_year_says():
    start = (date(2025, 12, 31), 0.40)
    halfway = date(2026, 7, 2)  # 183 of 365 days from the line's first day

    ahead = progress(
        target=0.80, direction=Direction.HIGHER, year=YEAR, start=start, actual=(halfway, 0.61)
    )
    behind = progress(
        target=0.80, direction=Direction.HIGHER, year=YEAR, start=start, actual=(halfway, 0.59)
    )

    assert ahead.expected == pytest.approx(0.40 + 0.40 * 183 / 365)
    assert (ahead.on_track, behind.on_track) == (True, False)


def test_lower_is_better_is_on_track_at_or_below_the_line():
    start = (date(2025, 12, 31), 100.0)

    result = progress(
        target=20.0,
        direction=Direction.LOWER,
        year=YEAR,
        start=start,
        actual=(date(2026, 12, 31), 20.0),
    )

    assert (result.expected, result.on_track) == (20.0, True)


def test_without_a_start_the_target_itself_is_the_bar_and_without_a_figure_nothing_is_judged():
    no_start = progress(
        target=0.5,
        direction=Direction.HIGHER,
        year=YEAR,
        start=None,
        actual=(date(2026, 3, 1), 0.4),
    )
    no_figure = progress(
        target=0.5, direction=Direction.HIGHER, year=YEAR, start=None, actual=None
    )

    assert (no_start.expected, no_start.on_track) == (0.5, False)
    assert no_figure.on_track is None


# The service


def _save(actor, **fields):
    values = {
        "indicator_id": "baseline",
        "year": YEAR,
        "value": 0.8,
        "document": "Mål och budget 2026",
        "document_date": date(2025, 11, 20),
    }
    return save_target(actor=actor, **(values | fields))


def test_a_region_admin_sets_a_target_and_the_history_says_who(db):
    admin = make_user(Role.REGION_ADMIN)

    target = _save(admin)
    _save(admin, target=target, value=0.85)

    target.refresh_from_db()
    assert target.value == 0.85
    assert [(h.history_user, h.value) for h in target.history.order_by("history_date")] == [
        (admin, 0.8),
        (admin, 0.85),
    ]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.CLINIC_REPORTER])
def test_no_other_role_may_set_a_target(db, role):
    with pytest.raises(NotAllowed):
        _save(make_user(role))
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"indicator_id": "nothing"}, "indicator"),
        ({"year": 1999}, "year"),
        ({"value": 1.5}, "value"),
        ({"value": -1}, "value"),
        ({"indicator_id": "exemptions.in_force", "value": -3}, "value"),
        ({"dimension": "municipality", "dimension_value": "9999"}, "dimension_value"),
        ({"dimension": "municipality"}, "dimension_value"),
        ({"dimension": "provider", "dimension_value": "123456"}, "dimension_value"),
        ({"dimension_value": "1380"}, "dimension_value"),
        ({"document": "  "}, "document"),
    ],
)
def test_a_bad_target_is_refused_with_the_field_that_is_wrong(db, fields, field):
    with pytest.raises(ApplicationError) as refused:
        _save(make_user(Role.REGION_ADMIN), **fields)

    assert field in refused.value.extra["errors"]
    assert not Target.objects.exists()


def test_a_count_may_be_above_one_and_a_target_may_be_for_one_provider(db):
    admin = make_user(Role.REGION_ADMIN)
    provider = make_provider()

    _save(admin, indicator_id="exemptions.in_force", value=12)
    _save(admin, dimension="provider", dimension_value=str(provider.pk), value=0.9)

    assert Target.objects.count() == 2


def test_one_target_per_indicator_year_and_value(db):
    admin = make_user(Role.REGION_ADMIN)
    _save(admin)

    with pytest.raises(ApplicationError) as refused:
        _save(admin, value=0.9)

    assert "indicator" in refused.value.extra["errors"]
    assert Target.objects.get().value == 0.8


# The pages


@pytest.mark.parametrize("role", [Role.REGION_ADMIN, Role.REVIEWER, Role.VIEWER])
def test_everyone_who_sees_the_region_sees_the_targets(client, role, db):
    _save(make_user(Role.REGION_ADMIN))
    client.force_login(make_user(role))

    response = client.get(TARGETS, {"year": YEAR})

    assert response.status_code == 200
    assert "Mål och budget 2026" in response.content.decode()
    assert (reverse("target_create") in response.content.decode()) == (role == Role.REGION_ADMIN)


def test_a_clinic_reporter_sees_no_targets(client, db):
    client.force_login(make_user(Role.CLINIC_REPORTER, clinics=[make_clinic()]))

    assert client.get(TARGETS).status_code == 403


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.VIEWER, Role.CLINIC_REPORTER])
def test_only_region_admins_open_create_edit_and_remove(client, role, db):
    target = _save(make_user(Role.REGION_ADMIN))
    client.force_login(make_user(role))

    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {}).status_code == 403
    assert client.get(reverse("target_edit", args=[target.pk])).status_code == 403
    assert client.post(reverse("target_delete", args=[target.pk])).status_code == 403
    assert Target.objects.filter(pk=target.pk).exists()


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(CREATE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def _form(**fields):
    return {
        "indicator": "baseline",
        "year": YEAR,
        "value": "85",
        "dimension": "region",
        "dimension_value": "",
        "document": "Mål och budget 2026",
        "document_date": "2025-11-20",
    } | fields


def test_an_admin_enters_a_share_in_percent(client, db):
    client.force_login(make_user(Role.REGION_ADMIN))

    response = client.post(CREATE, _form())

    assert response.status_code == 302
    assert Target.objects.get().value == pytest.approx(0.85)


def test_an_admin_changes_and_removes_a_target(client, db):
    admin = make_user(Role.REGION_ADMIN)
    target = _save(admin)
    client.force_login(admin)

    form = client.get(reverse("target_edit", args=[target.pk])).context["form"]
    assert form.initial["value"] == 80
    client.post(reverse("target_edit", args=[target.pk]), _form(value="90"))
    assert Target.objects.get().value == pytest.approx(0.9)

    client.post(reverse("target_delete", args=[target.pk]))
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"value": "120"}, "value"),
        ({"value": "många"}, "value"),
        ({"dimension": "municipality", "dimension_value": "0000"}, "dimension_value"),
        ({"document_date": "20 november"}, "document_date"),
    ],
)
def test_bad_input_shows_the_field_error_in_swedish_and_saves_nothing(client, db, fields, field):
    client.force_login(make_user(Role.REGION_ADMIN))

    response = client.post(CREATE, _form(**fields))

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "Målet sparades inte" in response.content.decode()
    assert not Target.objects.exists()


def test_the_follow_up_shows_each_figure_against_its_target(client, catalogue):
    clinics = bulk_clinics(10)
    bulk_approved_reports(clinics[:4], catalogue)
    today = timezone.localdate() - timedelta(days=1)  # the day the figures are for
    admin = make_user(Role.REGION_ADMIN)
    _save(admin, year=today.year, value=0.9)
    _save(admin, year=today.year, indicator_id="area.hemsida", value=0.1)
    # The line starts at the end of last year, before any report was approved.
    december = Period.month(today.year - 1, 12)
    take_snapshots(periods=[december], as_of=december.end)
    take_snapshots(as_of=today)  # yesterday
    client.force_login(admin)

    response = client.get(reverse("follow_up"))

    page = response.context["follow_up"]
    baseline, hemsida = page.figure("baseline"), page.figure("area.hemsida")
    assert (baseline.target.target, baseline.target.on_track) == (0.9, False)
    assert hemsida.target.on_track is True
    text = response.content.decode()
    assert "Enligt plan" in text
    assert "Efter plan" in text


def test_a_target_for_one_municipality_is_shown_in_its_breakdown_row(client, catalogue):
    clinics = bulk_clinics(12)
    bulk_approved_reports(clinics[:6], catalogue)
    day = timezone.localdate() - timedelta(days=1)
    admin = make_user(Role.REGION_ADMIN)
    _save(admin, year=day.year, dimension="municipality", dimension_value="1380", value=0.95)
    take_snapshots(as_of=day)
    client.force_login(admin)

    breakdown = client.get(reverse("follow_up"), {"dimension": "municipality"}).context[
        "breakdown"
    ]

    targeted = {row.value: row.cells[0].figure.target for row in breakdown.rows if row.cells[0]}
    assert targeted["1380"].target == 0.95
    assert all(target is None for value, target in targeted.items() if value != "1380")


def test_a_second_target_for_the_same_value_names_the_value(db):
    admin = make_user(Role.REGION_ADMIN)
    _save(admin, dimension="municipality", dimension_value="1380")

    with pytest.raises(ApplicationError) as refused:
        _save(admin, dimension="municipality", dimension_value="1380", value=0.5)

    assert list(refused.value.extra["errors"]) == ["dimension_value"]


def test_a_target_of_an_indicator_no_longer_defined_still_lists(client, db):
    Target.objects.create(
        indicator="retired.indicator",
        year=YEAR,
        value=3,
        document="Mål och budget 2026",
        document_date=date(2025, 11, 20),
    )
    client.force_login(make_user(Role.VIEWER))

    response = client.get(TARGETS, {"year": YEAR})

    assert response.status_code == 200
    assert "retired.indicator" in response.content.decode()

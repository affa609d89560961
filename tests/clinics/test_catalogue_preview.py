"""The preview of a catalogue revision: what it would change, computed without writing,
equal to what the timeline does once the revision is imported and in effect."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clinics.catalogue_preview import BASELINE, Movement, catalogue_impact
from clinics.demo import seed_demo
from clinics.models import AreaStatusPeriod, ClinicStatusPeriod
from requirements.catalogue_import import DEFAULT_CATALOGUE_PATH, import_catalogue, parse_catalogue
from requirements.models import CatalogueVersion
from requirements.vocabulary import AreaStatus
from tests.seeded import built_once

REVISION_2_PATH = DEFAULT_CATALOGUE_PATH.with_name("rs220477-revision-2.yaml")
REVISION_2 = parse_catalogue(REVISION_2_PATH.read_text(encoding="utf-8"))
EFFECTIVE = REVISION_2.effective_from
NOT_MET = {AreaStatus.NOT_MET, AreaStatus.NOT_REPORTED}


@pytest.fixture(scope="module")
def _seeded_register(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, lambda: seed_demo(clinics=60, seed=3))


@pytest.fixture
def demo(_seeded_register, catalogue):
    """A demo register of 60 clinics, seeded once for the module (every test here uses
    it; what a test imports is rolled back after it)."""


def statuses_on(day) -> tuple[dict, dict]:
    """(clinic, area) -> status, and clinic -> meets the baseline, of the active clinics
    on ``day``, as the timeline holds them."""
    active = set(
        ClinicStatusPeriod.objects.on(day).filter(active=True).values_list("clinic_id", flat=True)
    )
    areas = {
        (clinic_id, code): status
        for clinic_id, code, status in AreaStatusPeriod.objects.on(day).values_list(
            "clinic_id", "area_code", "status"
        )
        if clinic_id in active
    }
    baseline = dict(
        ClinicStatusPeriod.objects.on(day)
        .filter(active=True)
        .values_list("clinic_id", "meets_baseline")
    )
    return areas, baseline


def movements(before, after) -> tuple[dict[str, Movement], set[int]]:
    """How many clinics stopped and started meeting each area and the baseline between
    two readings of the timeline, and which clinics moved."""
    lost, gained, moved = Counter(), Counter(), set()
    (areas_before, baseline_before), (areas_after, baseline_after) = before, after
    for key in areas_before.keys() | areas_after.keys():
        was, now = areas_before.get(key), areas_after.get(key)
        if was == AreaStatus.MET and now in NOT_MET:
            lost[key[1]] += 1
            moved.add(key[0])
        if was in NOT_MET and now == AreaStatus.MET:
            gained[key[1]] += 1
            moved.add(key[0])
    for clinic_id, was in baseline_before.items():
        now = baseline_after[clinic_id]
        if was and not now:
            lost[BASELINE] += 1
            moved.add(clinic_id)
        if now and not was:
            gained[BASELINE] += 1
            moved.add(clinic_id)
    keys = set(lost) | set(gained)
    return {key: Movement(lost[key], gained[key]) for key in keys}, moved


def test_the_preview_equals_the_timelines_change_once_the_revision_takes_effect(demo):
    before = statuses_on(EFFECTIVE)
    versions = CatalogueVersion.objects.count()

    preview = catalogue_impact(REVISION_2)

    # The preview writes nothing.
    assert CatalogueVersion.objects.count() == versions
    assert statuses_on(EFFECTIVE) == before
    import_catalogue(REVISION_2_PATH)
    after = statuses_on(EFFECTIVE)
    changed, moved = movements(before, after)
    assert preview.movements == changed
    assert {clinic.clinic_id for clinic in preview.affected} == moved
    # Revision 2 asks more of the clinics than revision 1: some stop meeting areas.
    assert sum(movement.to_not_met for movement in changed.values()) > 0
    assert preview.clinics == len(before[1])


def test_the_preview_breaks_the_movements_down_by_municipality_kind_and_contract_form(demo):
    preview = catalogue_impact(REVISION_2)

    for dimension in ("municipality_code", "kind", "contract_form"):
        for key, movement in preview.movements.items():
            parts = [
                m
                for (d, _value, k), m in preview.by_dimension.items()
                if d == dimension and k == key
            ]
            assert sum(m.to_not_met for m in parts) == movement.to_not_met
            assert sum(m.to_met for m in parts) == movement.to_met


def test_the_preview_names_the_requirements_added_removed_and_changed(demo):
    diff = catalogue_impact(REVISION_2).diff

    assert "webbtidbok.guidas_ratt_besok" in diff.added
    assert diff.removed == ("journalen.medarbetare",)
    changed = {change.code: {c.field for c in change.changes} for change in diff.changed}
    assert changed["behandling.egen_plattform_godkand"] >= {
        "approval_required",
        "applies_if_channel",
    }
    assert "name_sv" not in changed["webbtidbok.boka_direkt"]


def test_the_reports_to_renew_ask_only_for_what_is_new_or_asked_otherwise(demo):
    preview = catalogue_impact(REVISION_2)

    asked = {code for report in preview.reports for code in report.codes}
    assert preview.reports
    assert "journalen.medarbetare_kannedom" in asked
    # Only how an answer is judged changed, not what is asked: no new answer needed.
    assert "webbtidbok.boka_direkt" not in asked
    assert "etjanster.radgivning" not in asked


def test_the_command_prints_the_counts_per_area_and_direction_and_imports_nothing(demo):
    out = StringIO()
    versions = CatalogueVersion.objects.count()

    call_command("import_catalogue", str(REVISION_2_PATH), "--preview", stdout=out)

    printed = out.getvalue()
    preview = catalogue_impact(REVISION_2)
    for key, movement in preview.movements.items():
        assert f"  {key}: -{movement.to_not_met} +{movement.to_met}\n" in printed
    assert "- journalen.medarbetare\n" in printed
    assert CatalogueVersion.objects.count() == versions


def test_the_preview_judges_on_the_day_asked_for(demo):
    day = date(2026, 6, 1)
    out = StringIO()

    call_command(
        "import_catalogue", str(REVISION_2_PATH), "--preview", "--on", "2026-06-01", stdout=out
    )

    preview = catalogue_impact(REVISION_2, day)
    assert preview.on == day
    assert preview.clinics == len(statuses_on(day)[1])
    assert "2026-06-01" in out.getvalue().splitlines()[0]


def test_on_without_preview_is_refused(demo):
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(REVISION_2_PATH), "--on", "2026-06-01")
    assert CatalogueVersion.objects.count() == 1

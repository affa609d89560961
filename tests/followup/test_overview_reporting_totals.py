"""The overview's totals join only the latest reports whose reporting may be under way
(``LatestReportUnderWay``); the rows join every latest report. Both must give each
clinic the same ``ReportingStatus``, for every state, round and start a report can have."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from clinics.models import ClinicStatusPeriod, Report, ReportingRound, ReportingStatus, Role
from followup.filters import with_report_states
from followup.overview import baseline_columns, totals
from tests.factories import make_user


@pytest.mark.parametrize("round_state", [None, "open", "closed"])
@pytest.mark.parametrize("started", [False, True])
def test_the_totals_count_each_reporting_status_as_the_rows_show_it(region, round_state, started):
    today = timezone.localdate()
    round_ = None
    if round_state is not None:
        admin = make_user(Role.REGION_ADMIN)
        closed = round_state == "closed"
        round_ = ReportingRound.objects.create(
            name="Omgång 2027",
            deadline=today + timedelta(days=30),
            opened_by=admin,
            closed_at=timezone.now() if closed else None,
            closed_by=admin if closed else None,
        )
    # The region's latest reports: two approved, one each submitted, draft and returned.
    Report.objects.filter(is_latest=True).update(
        round=round_, started_at=timezone.now() if started else None
    )
    rows = ClinicStatusPeriod.objects.on(today)

    shown = Counter(row.reporting or ReportingStatus.NONE for row in with_report_states(rows))
    counted = totals(rows, baseline_columns(today)[1]).reporting

    assert {total.status: total.count for total in counted} == {
        status: shown[status] for status in ReportingStatus
    }
    assert sum(shown.values()) == 6

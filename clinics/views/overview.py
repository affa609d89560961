"""The region overview, the start page of region admins, reviewers and viewers, and its
downloads. The rows, totals and filters come from ``clinics.overview``; the files from
``clinics.exports``."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from clinics import access
from clinics.exports import overview_csv, overview_xlsx
from clinics.overview import (
    PAGE_SIZE,
    Overview,
    OverviewFilter,
    Sort,
    build_overview,
    overview_filter,
)

# The filters the page offers, in this order; the API's others still apply if given.
FILTER_FIELDS = (
    "q",
    "municipality",
    "kind",
    "provider",
    "contract_form",
    "meets_baseline",
    "report_state",
)


def _render(
    request: HttpRequest,
    clinic_filter: OverviewFilter,
    sort: Sort,
    overview: Overview | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    form = clinic_filter.form
    context = {
        "filter_form": form,
        "filter_fields": [form[name] for name in FILTER_FIELDS],
        "sort": sort,
        "overview": overview,
    }
    if overview is not None:
        page = Paginator(overview.clinic_ids, PAGE_SIZE).get_page(request.GET.get("page"))
        context |= {
            "page": page,
            "rows": overview.page_rows(page.object_list),
            "sort_links": {
                key: {"value": sort.link_for(key), "aria_sort": sort.aria_sort(key)}
                for key in Sort.KEYS
            },
        }
    return render(request, "clinics/overview.html", context, status=status)


@access.role_required(access.sees_everything)
def overview(request: HttpRequest) -> HttpResponse:
    clinic_filter = overview_filter(request)
    sort = Sort.parse(request.GET.get("sort"))
    if not clinic_filter.is_valid():
        # Show what is wrong and no figures at all: an unfiltered table under a filter
        # the user believes applies would be worse than none.
        return _render(request, clinic_filter, sort)
    return _render(request, clinic_filter, sort, build_overview(clinic_filter.qs, sort))


def _download(request: HttpRequest, extension: str, content_type: str, write) -> HttpResponse:
    clinic_filter = overview_filter(request)
    sort = Sort.parse(request.GET.get("sort"))
    if not clinic_filter.is_valid():
        return _render(request, clinic_filter, sort, status=400)
    clinics = clinic_filter.qs
    overview = build_overview(clinics, sort)
    rows = overview.rows(clinics.select_related("provider"))
    response = HttpResponse(write(rows, overview.areas), content_type=content_type)
    filename = f"digitalt-utbud-oversikt-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@access.role_required(access.sees_everything)
def export_csv(request: HttpRequest) -> HttpResponse:
    """Exactly the filtered view, every page of it, in the same order."""
    return _download(request, "csv", "text/csv; charset=utf-8", overview_csv)


@access.role_required(access.sees_everything)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _download(
        request,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        overview_xlsx,
    )


urlpatterns = [
    path("oversikt/", overview, name="overview"),
    path("oversikt/export.csv", export_csv, name="overview_export_csv"),
    path("oversikt/export.xlsx", export_xlsx, name="overview_export_xlsx"),
]

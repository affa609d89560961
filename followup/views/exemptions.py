"""The read-only list of exemption cases and its downloads; the cases, the filter and the
records come from ``followup.exemptions``, the files from ``followup.exports``. Deciding
stays on the case page, and the reviewers' work queue on ``/undantag/``."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinics import access
from clinics.selectors import CaseRow
from followup.exemptions import ExemptionListFilterForm, header, listed_cases, records
from followup.exports import csv_lines, csv_response, xlsx_response

PAGE_SIZE = 50


def _render(request: HttpRequest, form: ExemptionListFilterForm, *, status: int = 200):
    context = {"form": form, "is_reviewer": access.is_reviewer(request.user)}
    if form.is_valid():
        day = form.day()
        page = Paginator(listed_cases(request.user, form), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context |= {
            "page": page,
            "rows": [CaseRow.of(case, day) for case in page.object_list],
            "day": day,
        }
    return render(request, "followup/exemption_list.html", context, status=status)


@require_GET
@access.role_required(access.may_see_cases)
def exemption_list(request: HttpRequest) -> HttpResponse:
    form = ExemptionListFilterForm(request.GET)
    # Show what is wrong and no cases: a list under a filter that does not apply would
    # look like the answer.
    return _render(request, form, status=200 if form.is_valid() else 400)


def _download(request: HttpRequest, extension: str, write) -> HttpResponse:
    form = ExemptionListFilterForm(request.GET)
    if not form.is_valid():
        return _render(request, form, status=400)
    day = form.day()
    filename = f"digitalt-utbud-undantag-{day:%Y-%m-%d}.{extension}"
    return write(filename, records(listed_cases(request.user, form), day))


@require_GET
@access.role_required(access.may_see_cases)
def export_csv(request: HttpRequest) -> HttpResponse:
    """Exactly the filtered list, every page of it, in the same order, streamed."""
    return _download(
        request,
        "csv",
        lambda filename, rows: csv_response(filename, csv_lines(header(), rows)),
    )


@require_GET
@access.role_required(access.may_see_cases)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _download(
        request,
        "xlsx",
        lambda filename, rows: xlsx_response(filename, _("Exemptions"), header(), rows),
    )

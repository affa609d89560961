"""The region overview, the start page of region admins, reviewers and viewers, and its
downloads. The rows and totals come from ``followup.overview``, the filter from
``followup.filters`` (the same the API uses), the files from ``followup.exports``."""

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics import access
from clinics.models import Provider
from followup.exports import (
    csv_lines,
    csv_response,
    overview_header,
    overview_record,
    xlsx_response,
)
from followup.filters import ClinicFilterForm, Sort, provider_matching
from followup.overview import Overview, baseline_columns, build_overview

# Up to this many care providers the filter is a list to choose from; beyond it (a
# national register has thousands) a text field, so the page does not grow with them.
PROVIDER_SELECT_LIMIT = 200
# Providers suggested for a provider text that matches several.
SUGGESTIONS = 10

# The filters the page offers, in this order; the API's others still apply if given.
FILTER_FIELDS = (
    "q",
    "on_date",
    "municipality",
    "kind",
    "provider",
    "provider_q",
    "contract_form",
    "meets_baseline",
    "meets_general",
    "area",
    "area_status",
    "approved_report",
    "reporting",
    "action_plan",
)


class OverviewFilterForm(ClinicFilterForm):
    """The API's filter with labels and widgets for people rather than programs."""

    labels = {
        "q": _("Name or HSA-id"),
        "on_date": _("Status on date"),
        "municipality": _("Municipality"),
        "kind": _("Type of clinic"),
        "provider": _("Care provider"),
        "provider_q": _("Care provider (name or organisation number)"),
        "contract_form": _("Contract form"),
        "meets_baseline": _("Meets the whole baseline"),
        "meets_general": _("Meets the general requirements"),
        "area": _("Area"),
        "area_status": _("Status in the area"),
        "approved_report": _("Has an approved report in force"),
        "reporting": _("Reporting under way"),
        "action_plan": _("Action plan"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            field = self.fields[name]
            field.label = label
            field.help_text = ""
            # The fixed choices' blank reads "All"; the provider's list is a query, which
            # says so itself (and is only read when the list is shown).
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("All")
            elif isinstance(field, forms.ChoiceField):
                field.choices = [("", _("All")), *list(field.choices)[1:]]
        # A select instead of the API's text box; the field behind it stays strict, so a
        # hand-made ?meets_baseline=maybe is an error, never a silently unfiltered list.
        for name in ("meets_baseline", "meets_general", "approved_report"):
            self.fields[name].widget = forms.Select(
                choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]
            )
        self.fields["q"].widget = forms.TextInput(attrs={"type": "search"})
        self.fields["provider_q"].widget = forms.TextInput(
            attrs={"type": "search", "list": "provider-suggestions", "autocomplete": "off"}
        )
        self.fields["on_date"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        # The day's catalogue, read once for the area list and the overview's columns.
        self.columns = baseline_columns(self._day())
        self.fields["area"].widget = forms.Select(
            choices=[("", _("All")), *((area.code, area.name) for area in self.columns[1])]
        )
        # One query either way: the first providers beyond the limit, which either are
        # the whole list to choose from or tell that a text field is needed.
        providers = self.fields["provider"].queryset.order_by("name", "pk")
        first = list(providers[: PROVIDER_SELECT_LIMIT + 1])
        self.lists_providers = len(first) <= PROVIDER_SELECT_LIMIT
        if self.lists_providers:
            self.fields["provider"].widget.choices = [
                ("", _("All")),
                *((provider.pk, provider.name) for provider in first),
            ]

    def _day(self):
        try:
            return self.fields["on_date"].clean(self.data.get("on_date")) or timezone.localdate()
        except forms.ValidationError:
            return timezone.localdate()

    def shown_fields(self) -> list:
        hidden = "provider_q" if self.lists_providers else "provider"
        return [self[name] for name in FILTER_FIELDS if name != hidden]


def _form(request: HttpRequest) -> OverviewFilterForm:
    return OverviewFilterForm(request.GET, user=request.user)


def _sort_links(sort: Sort, overview: Overview) -> dict:
    keys = [*Sort.KEYS, *(f"{Sort.AREA_PREFIX}{area.code}" for area in overview.areas)]
    return {key: {"value": sort.link_for(key), "aria_sort": sort.aria_sort(key)} for key in keys}


def _suggested_providers(form: OverviewFilterForm) -> list[Provider]:
    text = form.cleaned_data.get("provider_q", "").strip()
    if not text or form.lists_providers:
        return []
    matching = form.fields["provider"].queryset.filter(provider_matching(text, prefix=""))
    return list(matching.order_by("name", "pk")[:SUGGESTIONS])


def _overview(form: OverviewFilterForm, request: HttpRequest) -> Overview:
    return build_overview(form.selection(), request.GET.get("sort"), columns=form.columns)


def _render(request: HttpRequest, form, overview=None, *, status: int = 200) -> HttpResponse:
    sort = overview.sort if overview is not None else Sort.parse(request.GET.get("sort"))
    context = {
        "filter_form": form,
        "filter_fields": form.shown_fields(),
        "sort": sort,
        "overview": overview,
    }
    if overview is not None:
        page, rows = overview.page(request.GET.get("page"))
        context |= {
            "page": page,
            "rows": rows,
            "totals": overview.totals,
            "sort_links": (links := _sort_links(sort, overview)),
            "area_links": [
                (area, links[f"{Sort.AREA_PREFIX}{area.code}"]) for area in overview.areas
            ],
            "is_today": overview.on_date == timezone.localdate(),
            "suggested_providers": _suggested_providers(form),
        }
    return render(request, "followup/overview.html", context, status=status)


@access.role_required(access.sees_everything)
def overview(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        # Show what is wrong and no figures at all: an unfiltered table under a filter
        # the user believes applies would be worse than none.
        return _render(request, form)
    return _render(request, form, _overview(form, request))


def _download(request: HttpRequest, extension: str, write) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return _render(request, form, status=400)
    overview = _overview(form, request)
    filename = f"digitalt-utbud-oversikt-{overview.on_date:%Y-%m-%d}.{extension}"
    rows = (overview_record(row) for row in overview.all_rows())
    return write(filename, overview_header(overview.areas), rows, _about(form, overview))


def _criterion(field: forms.Field, value) -> str:
    """A filter's value as the form shows it: a choice's label, a name, yes or no."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str(dict(field.choices).get(value, value))
    return str(value)


def _about(form: OverviewFilterForm, overview: Overview) -> list[tuple[str, str]]:
    """What a downloaded file holds, in words: the day, the filter, the catalogue."""
    criteria = [
        f"{form.fields[name].label}: {_criterion(form.fields[name], value)}"
        for name, value in overview.selection.criteria.items()
        if name in form.fields
    ]
    return [
        (_("Status on date"), overview.on_date.isoformat()),
        (_("Downloaded"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        (_("Selection"), "; ".join(criteria) or _("None: every clinic you may see")),
        (
            _("Catalogue version"),
            str(overview.catalogue) if overview.catalogue else _("None in force on the day"),
        ),
    ]


@access.role_required(access.sees_everything)
def export_csv(request: HttpRequest) -> HttpResponse:
    """Exactly the filtered view, every page of it, in the same order, streamed."""
    return _download(
        request,
        "csv",
        lambda filename, header, rows, _about: csv_response(filename, csv_lines(header, rows)),
    )


@access.role_required(access.sees_everything)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _download(
        request,
        "xlsx",
        lambda filename, header, rows, about: xlsx_response(
            filename, str(_("Overview")), header, rows, about=about
        ),
    )


@access.role_required(access.sees_everything)
def provider_suggestions(request: HttpRequest) -> JsonResponse:
    """Care providers whose name holds the text (or with that organisation number), for
    the provider field's suggestions as one types; the field works without them."""
    text = request.GET.get("q", "").strip()[:200]
    providers = []
    if len(text) >= 2:
        providers = list(
            access.visible_providers(request.user)
            .filter(provider_matching(text, prefix=""))
            .order_by("name", "pk")
            .values("id", "name", "organisation_number")[:SUGGESTIONS]
        )
    return JsonResponse({"providers": providers})

"""The yearly targets: listed for everyone who sees the region, set by region admins."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clinics import access
from clinics.forms.fields import DATE_FORMAT
from followup.indicators import INDICATORS, indicator, stored_indicator
from followup.models import Target
from followup.targets import delete_target, save_target
from followup.vocabulary import Dimension, Unit
from halland_utbud.errors import ApplicationError


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(
        label=gettext_lazy("Indicator"), choices=[(i.id, i.name) for i in INDICATORS]
    )
    year = forms.IntegerField(label=gettext_lazy("Year"))
    value = forms.DecimalField(
        label=gettext_lazy("Target"),
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("A share in percent (e.g. 85), or a number for a count."),
    )
    dimension = forms.ChoiceField(
        label=gettext_lazy("For"), choices=Dimension.choices, initial=Dimension.REGION
    )
    dimension_value = forms.CharField(
        label=gettext_lazy("Value of the dimension"),
        required=False,
        max_length=40,
        help_text=gettext_lazy(
            "Empty for the whole region; otherwise a municipality code (e.g. 1380), a care "
            "provider's id, or the code of a kind of clinic, care type or contract form."
        ),
    )
    document = forms.CharField(label=gettext_lazy("Decided in"), max_length=200)
    document_date = forms.DateField(
        label=gettext_lazy("Date of the decision"),
        input_formats=[DATE_FORMAT],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
    )

    @classmethod
    def for_target(cls, target: Target, data=None) -> "TargetForm":
        value = Decimal(str(target.value))
        if stored_indicator(target.indicator).unit == Unit.SHARE:
            value = value * 100
        initial = {
            "indicator": target.indicator,
            "year": target.year,
            "value": value.normalize(),
            "dimension": target.dimension,
            "dimension_value": target.dimension_value,
            "document": target.document,
            "document_date": target.document_date,
        }
        return cls(data, initial=initial)

    def stored_value(self) -> float:
        """The value as the snapshots hold it: a share as a fraction."""
        value = float(self.cleaned_data["value"])
        if indicator(self.cleaned_data["indicator"]).unit == Unit.SHARE:
            return value / 100
        return value

    def add_service_errors(self, error: ApplicationError) -> None:
        errors = error.extra.get("errors", {})
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)
        if not errors:
            self.add_error(None, error.message)


@access.role_required(access.sees_everything)
def target_list(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else timezone.localdate().year
    targets = [
        (target, stored_indicator(target.indicator))
        for target in Target.objects.filter(year=year).order_by("indicator", "dimension")
    ]
    years = sorted(
        {year, *Target.objects.order_by().values_list("year", flat=True).distinct()}, reverse=True
    )
    return render(
        request,
        "followup/targets.html",
        {
            "year": year,
            "years": years,
            "targets": targets,
            "may_edit": access.is_region_admin(request.user),
        },
    )


def _edit(request: HttpRequest, target: Target | None) -> HttpResponse:
    if target is None:
        form = TargetForm(request.POST or None, initial={"year": timezone.localdate().year})
    else:
        form = TargetForm.for_target(target, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = save_target(
                actor=request.user,
                target=target,
                indicator_id=data["indicator"],
                year=data["year"],
                value=form.stored_value(),
                dimension=data["dimension"],
                dimension_value=data["dimension_value"],
                document=data["document"],
                document_date=data["document_date"],
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The target is saved."))
            return redirect(f"{reverse('target_list')}?year={saved.year}")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "followup/target_form.html", {"form": form, "target": target}, status=status
    )


@access.role_required(access.is_region_admin)
def target_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@access.role_required(access.is_region_admin)
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Target, pk=pk))


@require_POST
@access.role_required(access.is_region_admin)
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(Target, pk=pk)
    year = target.year
    delete_target(actor=request.user, target=target)
    messages.success(request, _("The target is removed."))
    return redirect(f"{reverse('target_list')}?year={year}")

"""A clinic's own indicators: the pages where its reporters define them, change or retire
them, and report their values. Regional staff read them on the clinic page.

The clinic comes from ``access.get_clinic_for_user`` (another clinic does not exist for a
reporter: 404), and every change goes through ``followup.clinic_indicators``, which asks
``access`` again under its lock.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinics import access
from clinics.models import Clinic
from followup.clinic_indicator_trends import period_name, value_text
from followup.clinic_indicators import (
    change_clinic_indicator,
    define_clinic_indicator,
    previous_period,
    report_clinic_indicator_value,
)
from followup.forms import (
    ClinicIndicatorChangeForm,
    ClinicIndicatorForm,
    ClinicIndicatorValueForm,
    show_service_errors,
)
from followup.models import ClinicIndicator
from followup.periods import Period
from halland_utbud.errors import ApplicationError, NotAllowed


def _indicator_for(clinic: Clinic, pk: int) -> ClinicIndicator:
    return get_object_or_404(ClinicIndicator.objects.filter(clinic=clinic), pk=pk)


def _run(form, service) -> object | None:
    """What ``service`` returns, or None with its errors shown on ``form``. A refusal is a
    403 with the reason, not a form to correct."""
    try:
        return service()
    except NotAllowed as error:
        raise PermissionDenied(error.message) from None
    except ValidationError as error:
        show_service_errors(form, error)
    except ApplicationError as error:
        form.add_error(None, error.message)
    return None


@access.role_required(access.is_reporter)
def clinic_indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    clinic = access.get_clinic_for_user(request.user, pk)
    form = ClinicIndicatorForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        indicator = _run(
            form,
            lambda: define_clinic_indicator(
                actor=request.user, clinic=clinic, **form.service_fields()
            ),
        )
        if indicator is not None:
            messages.success(
                request,
                _("The indicator “%(name)s” is defined. Report its first value below.")
                % {"name": indicator.name},
            )
            return redirect("clinic_indicator_detail", pk=clinic.pk, indicator_pk=indicator.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "followup/clinic_indicators/create.html",
        {"clinic": clinic, "form": form},
        status=status,
    )


def _detail(
    request: HttpRequest,
    indicator: ClinicIndicator,
    *,
    definition: ClinicIndicatorChangeForm | None = None,
    value_form: ClinicIndicatorValueForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if definition is None:
        definition = ClinicIndicatorChangeForm.for_indicator(indicator)
    if value_form is None:
        next_period = previous_period(indicator.frequency, timezone.localdate())
        value_form = ClinicIndicatorValueForm(
            indicator=indicator, initial={"period": next_period.code}
        )
    values = [
        (value, period_name(Period.parse(value.period)), value_text(value.value, indicator.unit))
        for value in indicator.values.select_related("reported_by").order_by("-period_start")
    ]
    return render(
        request,
        "followup/clinic_indicators/detail.html",
        {
            "clinic": indicator.clinic,
            "indicator": indicator,
            "definition_form": definition,
            "value_form": value_form,
            "values": values,
            "target_text": value_text(indicator.target, indicator.unit),
        },
        status=status,
    )


@access.role_required(access.is_reporter)
def clinic_indicator_detail(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """The indicator's values and the forms to report one and to change its definition;
    a POST here changes the definition (or retires the indicator)."""
    clinic = access.get_clinic_for_user(request.user, pk)
    indicator = _indicator_for(clinic, indicator_pk)
    if request.method != "POST":
        return _detail(request, indicator)
    form = ClinicIndicatorChangeForm.for_indicator(indicator, request.POST)
    if form.is_valid():
        changed = _run(
            form,
            lambda: change_clinic_indicator(
                actor=request.user, indicator=indicator, **form.service_fields()
            ),
        )
        if changed is not None:
            if not changed.active and indicator.active:
                message = _("The indicator is retired; its values are kept.")
            else:
                message = _("The indicator's definition is saved.")
            messages.success(request, message)
            return redirect("clinic_indicator_detail", pk=clinic.pk, indicator_pk=indicator.pk)
    return _detail(request, indicator, definition=form, status=400)


@require_POST
@access.role_required(access.is_reporter)
def clinic_indicator_report(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """Report (or correct) one period's value."""
    clinic = access.get_clinic_for_user(request.user, pk)
    indicator = _indicator_for(clinic, indicator_pk)
    form = ClinicIndicatorValueForm(request.POST, indicator=indicator)
    if form.is_valid():
        data = form.cleaned_data
        reported = _run(
            form,
            lambda: report_clinic_indicator_value(
                actor=request.user,
                indicator=indicator,
                period=data["period"],
                value=data["value"],
                comment=data["comment"],
            ),
        )
        if reported is not None:
            messages.success(
                request,
                _("The value for %(period)s is saved.")
                % {"period": period_name(Period.parse(reported.period))},
            )
            return redirect("clinic_indicator_detail", pk=clinic.pk, indicator_pk=indicator.pk)
    # The definition as it is now: another reporter may have retired it meanwhile.
    indicator.refresh_from_db()
    return _detail(request, indicator, value_form=form, status=400)

"""Measured usage: the upload page where region admins import the monthly figures, and
the imports so far."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clinics import access
from clinics.services.clinics_csv import ImportRejected
from followup.forms import UsageUploadForm
from followup.models import UsageImport, UsageMonth
from followup.usage import COLUMNS, import_usage
from followup.vocabulary import UsageMeasure
from halland_utbud.errors import ApplicationError

SHOWN_IMPORTS = 20


@access.role_required(access.is_region_admin)
def usage_import_page(request: HttpRequest) -> HttpResponse:
    form = UsageUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_usage(upload, actor=request.user, file_name=upload.name)
        except ImportRejected as rejected:
            form.add_error("file", rejected.message)
            problems = rejected.problems
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            messages.success(
                request,
                _("%(rows)d values imported for %(months)s; %(replaced)d earlier values replaced.")
                % {"rows": result.rows, "months": result.months, "replaced": result.replaced},
            )
            return redirect("usage_import")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "followup/usage_import.html",
        {
            "form": form,
            "problems": problems,
            "columns": ";".join(COLUMNS),
            "measures": UsageMeasure.choices,
            "imports": UsageImport.objects.select_related("imported_by")[:SHOWN_IMPORTS],
            "months": UsageMonth.objects.order_by("-month", "measure")[: 12 * len(UsageMeasure)],
        },
        status=status,
    )

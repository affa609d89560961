"""A catalogue revision's preview: upload the file, see what it would change for the
clinics, then import it or leave it. Region admins only."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinics import access
from clinics.catalogue_preview import catalogue_impact
from clinics.forms.catalogue import CatalogueUploadForm, PreviewDayForm
from clinics.models import CatalogueUpload, Clinic
from clinics.services.catalogue_uploads import import_upload, upload_catalogue
from halland_utbud.errors import ApplicationError
from requirements.catalogue_import import CatalogueError, parse_catalogue

SHOWN_UPLOADS = 20
# The clinics and reports the page lists; the counts above them are of all.
SHOWN_ROWS = 200


@access.role_required(access.is_region_admin)
def catalogue_preview_start(request: HttpRequest) -> HttpResponse:
    form = CatalogueUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            kept = upload_catalogue(actor=request.user, file_name=upload.name, data=upload.read())
        except CatalogueError as error:
            form.add_error("file", _("The file is not a valid catalogue; nothing was kept."))
            problems = error.problems
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            return redirect("catalogue_preview", pk=kept.pk)
    return render(
        request,
        "clinics/catalogue_preview_start.html",
        {
            "form": form,
            "problems": problems,
            # The list names the files; their texts (up to 2 MB each) stay unread.
            "uploads": CatalogueUpload.objects.select_related("uploaded_by", "imported_as").defer(
                "text"
            )[:SHOWN_UPLOADS],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@access.role_required(access.is_region_admin)
def catalogue_preview(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(
        CatalogueUpload.objects.select_related("uploaded_by", "imported_as"), pk=pk
    )
    catalogue = parse_catalogue(upload.text)
    day_form = PreviewDayForm(request.GET or None)
    on = day_form.cleaned_data["on"] if day_form.is_valid() else None
    impact = catalogue_impact(catalogue, on)
    return render(
        request,
        "clinics/catalogue_preview.html",
        {
            "upload": upload,
            "catalogue": catalogue,
            "day_form": day_form,
            "impact": impact,
            "movements": sorted(impact.movements.items()),
            "breakdown": _breakdown(impact),
            "affected": impact.affected[:SHOWN_ROWS],
            "reports": impact.reports[:SHOWN_ROWS],
            "shown_rows": SHOWN_ROWS,
        },
        status=400 if day_form.is_bound and day_form.errors else 200,
    )


def _breakdown(impact) -> list[tuple[str, str, str, object]]:
    """(dimension's name, value's name, area, movement), as the page's table lists them."""
    names = {
        "municipality_code": (Clinic._meta.get_field("municipality_code"), _("Municipality")),
        "kind": (Clinic._meta.get_field("kind"), _("Type of clinic")),
        "contract_form": (Clinic._meta.get_field("contract_form"), _("Contract form")),
    }
    rows = []
    for (dimension, value, key), movement in impact.by_dimension.items():
        field, label = names[dimension]
        rows.append((label, dict(field.choices).get(value, value), key, movement))
    return rows


@require_POST
@access.role_required(access.is_region_admin)
def catalogue_preview_import(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(CatalogueUpload, pk=pk)
    try:
        upload = import_upload(actor=request.user, upload=upload)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        version = upload.imported_as
        messages.success(
            request,
            _(
                "The catalogue is imported as %(decision)s revision %(revision)d; it takes "
                "effect on %(day)s."
            )
            % {
                "decision": version.decision_id,
                "revision": version.revision,
                "day": version.effective_from.isoformat(),
            },
        )
    return redirect("catalogue_preview", pk=upload.pk)


urlpatterns = [
    path("katalog/forhandsvisning/", catalogue_preview_start, name="catalogue_preview_start"),
    path("katalog/forhandsvisning/<int:pk>/", catalogue_preview, name="catalogue_preview"),
    path(
        "katalog/forhandsvisning/<int:pk>/importera/",
        catalogue_preview_import,
        name="catalogue_preview_import",
    ),
]

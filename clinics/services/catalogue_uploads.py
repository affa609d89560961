"""Uploading a catalogue revision to preview it, and importing the one previewed.

Only region admins keep the catalogue. An upload is checked whole before it is kept (a
broken file names every problem and keeps nothing), and it is imported exactly as it was
previewed: the import reads the kept text, never a second upload.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics import access
from clinics.models import CatalogueUpload, User
from halland_utbud.errors import ApplicationError, InvalidTransition
from requirements.catalogue_import import import_catalogue_text, parse_catalogue

MAX_BYTES = 2 * 1024 * 1024


def upload_catalogue(*, actor: User, file_name: str, data: bytes) -> CatalogueUpload:
    """Keep an uploaded catalogue file for its preview; ``CatalogueError`` if it is not
    a valid catalogue, ``ApplicationError`` if it is not a text file of a sane size."""
    access.check_may_keep_catalogue(actor)
    text = _text(data)
    catalogue = parse_catalogue(text)
    return CatalogueUpload.objects.create(
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        file_name=file_name[:255],
        text=text,
        content_hash=catalogue.content_hash(),
    )


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ApplicationError(_("The file is larger than 2 MB."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError(_("The file is not encoded in UTF-8.")) from None


@transaction.atomic
def import_upload(*, actor: User, upload: CatalogueUpload) -> CatalogueUpload:
    """Import the previewed file as a catalogue version (or find it already stored)."""
    access.check_may_keep_catalogue(actor)
    upload = CatalogueUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.imported_as_id is not None:
        raise InvalidTransition(_("This file has already been imported."))
    version, _created = import_catalogue_text(upload.text, source_name=upload.file_name)
    upload.imported_as = version
    upload.imported_by = actor
    upload.imported_at = timezone.now()
    upload.save(update_fields=["imported_as", "imported_by", "imported_at"])
    return upload

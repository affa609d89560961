"""A catalogue file uploaded for a preview: what a region admin looked at before deciding,
kept as a record whether it was imported or not."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from requirements.models import CatalogueVersion


class CatalogueUpload(models.Model):
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"))
    file_name = models.CharField(_("file"), max_length=255)
    text = models.TextField(_("content"))
    content_hash = models.CharField(_("content checksum"), max_length=64)
    # Set when the upload was imported: the version it became (or already was).
    imported_as = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported as"),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        verbose_name = _("uploaded catalogue")
        verbose_name_plural = _("uploaded catalogues")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"

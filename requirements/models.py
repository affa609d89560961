"""The catalogue of what decision RS220477 requires, in versions that are never rewritten.

A clinic is judged against the version in force on a date. Importing a changed catalogue
file makes a new version; the rows of an old one stay exactly as they were, so compliance
on a past date can always be reconstructed.
"""

from datetime import date

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from requirements.compliance import Applicability, AreaRule, RequirementRule


class BilingualNameMixin:
    """Catalogue texts are kept in Swedish and English; show the active language."""

    name_sv: str
    name_en: str

    @property
    def name(self) -> str:
        language = get_language() or "sv"
        return self.name_en if language.startswith("en") and self.name_en else self.name_sv

    def __str__(self) -> str:
        return self.name


class CatalogueVersionQuerySet(models.QuerySet):
    def in_force(self, on_date: date) -> "CatalogueVersion | None":
        """The version in force on ``on_date``: latest effective date, then latest revision."""
        return (
            self.filter(effective_from__lte=on_date)
            .order_by("-effective_from", "-revision")
            .first()
        )


class CatalogueVersion(models.Model):
    decision_id = models.CharField(_("beslut"), max_length=40)
    decision_date = models.DateField(_("beslutsdatum"))
    effective_from = models.DateField(_("gäller från"))
    title = models.CharField(_("titel"), max_length=200)
    title_en = models.CharField(_("titel (engelska)"), max_length=200)
    revision = models.PositiveIntegerField(_("revision"))
    content_hash = models.CharField(_("innehållets kontrollsumma"), max_length=64, unique=True)
    source_name = models.CharField(_("källfil"), max_length=200)
    imported_at = models.DateTimeField(_("importerad"), auto_now_add=True)

    objects = CatalogueVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("katalogversion")
        verbose_name_plural = _("katalogversioner")
        ordering = ["-effective_from", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision_id", "revision"], name="catalogue_version_unique_revision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} rev. {self.revision} ({self.effective_from})"


class Area(BilingualNameMixin, models.Model):
    version = models.ForeignKey(
        CatalogueVersion, on_delete=models.PROTECT, related_name="areas", verbose_name=_("version")
    )
    code = models.SlugField(_("kod"), max_length=40)
    name_sv = models.CharField(_("namn (svenska)"), max_length=200)
    name_en = models.CharField(_("namn (engelska)"), max_length=200)
    in_baseline = models.BooleanField(
        _("ingår i grundutbudet"),
        default=True,
        help_text=_("De sju områdena i grundutbudet; de generella kraven följs upp för sig."),
    )
    position = models.PositiveSmallIntegerField(_("ordning"))

    class Meta:
        verbose_name = _("område")
        verbose_name_plural = _("områden")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="area_unique_code"),
        ]

    def to_rule(self) -> AreaRule:
        return AreaRule(code=self.code, in_baseline=self.in_baseline)


class Requirement(BilingualNameMixin, models.Model):
    version = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.PROTECT,
        related_name="requirements",
        verbose_name=_("version"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="requirements", verbose_name=_("område")
    )
    code = models.CharField(_("kod"), max_length=80)
    name_sv = models.CharField(_("namn (svenska)"), max_length=300)
    name_en = models.CharField(_("namn (engelska)"), max_length=300)
    description_sv = models.TextField(_("beskrivning (svenska)"), blank=True)
    description_en = models.TextField(_("beskrivning (engelska)"), blank=True)
    decision_section = models.CharField(_("avsnitt i beslutet"), max_length=200)
    applies_when = models.JSONField(
        _("gäller för"),
        default=list,
        blank=True,
        help_text=_("Villkor på mottagningens egenskaper; tomt betyder alla mottagningar."),
    )
    may_be_not_applicable = models.BooleanField(_("får anges som ej tillämpligt"), default=False)
    exemption_kinds = models.JSONField(_("tillåtna undantag"), default=list, blank=True)
    permanent_exemption_allowed = models.BooleanField(
        _("undantag får gälla tills vidare"), default=False
    )
    asks_channel = models.BooleanField(_("kanal efterfrågas"), default=False)
    position = models.PositiveSmallIntegerField(_("ordning"))

    class Meta:
        verbose_name = _("krav")
        verbose_name_plural = _("krav")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="requirement_unique_code"),
        ]

    @property
    def description(self) -> str:
        language = get_language() or "sv"
        if language.startswith("en") and self.description_en:
            return self.description_en
        return self.description_sv

    def to_rule(self) -> RequirementRule:
        return RequirementRule(
            code=self.code,
            area_code=self.area.code,
            applicability=Applicability(
                any_of=tuple(
                    {attribute: frozenset(values) for attribute, values in condition.items()}
                    for condition in self.applies_when
                )
            ),
            may_be_not_applicable=self.may_be_not_applicable,
            exemption_kinds=frozenset(self.exemption_kinds),
        )

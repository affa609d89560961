"""The catalogue of what decision RS220477 requires, in versions that are never rewritten.

A clinic is judged against the version in force on a date. Importing a changed catalogue
file makes a new version; the rows of an old one stay exactly as they were, so compliance
on a past date can always be reconstructed.
"""

from datetime import date

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from requirements.compliance import AreaRule, RequirementRule
from requirements.stored_rules import area_rule, requirement_rule
from requirements.vocabulary import RequirementLevel


def in_active_language(swedish: str, english: str) -> str:
    """A catalogue text in the active language: English where it has it, else Swedish."""
    language = get_language() or "sv"
    return english if language.startswith("en") and english else swedish


def in_language(values: dict, name: str) -> str:
    """``name`` of a row read with ``values()`` (its ``<name>_sv`` and ``<name>_en``), in
    the active language."""
    return in_active_language(values[f"{name}_sv"], values[f"{name}_en"])


class BilingualNameMixin:
    """Catalogue texts are kept in Swedish and English; show the active language."""

    name_sv: str
    name_en: str

    @property
    def name(self) -> str:
        return in_active_language(self.name_sv, self.name_en)

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
    decision_id = models.CharField(_("decision"), max_length=40)
    decision_date = models.DateField(_("decision date"))
    effective_from = models.DateField(_("effective from"))
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    revision = models.PositiveIntegerField(_("revision"))
    content_hash = models.CharField(_("content checksum"), max_length=64, unique=True)
    source_name = models.CharField(_("source file"), max_length=200)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    objects = CatalogueVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")
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
    code = models.SlugField(_("code"), max_length=40)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    in_baseline = models.BooleanField(
        _("part of the baseline offering"),
        default=True,
        help_text=_(
            "The seven areas of the baseline offering; the general requirements are followed "
            "up separately."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    minimums = models.JSONField(
        _("minimums"),
        default=list,
        blank=True,
        help_text=_(
            "Groups of the area's requirements of which at least some must be met, or not "
            "all be not applicable."
        ),
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="area_unique_code"),
        ]

    def to_rule(self) -> AreaRule:
        return area_rule(code=self.code, in_baseline=self.in_baseline, minimums=self.minimums)


class Requirement(BilingualNameMixin, models.Model):
    version = models.ForeignKey(
        CatalogueVersion,
        on_delete=models.PROTECT,
        related_name="requirements",
        verbose_name=_("version"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="requirements", verbose_name=_("area")
    )
    code = models.CharField(_("code"), max_length=80)
    name_sv = models.CharField(_("name (Swedish)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    decision_section = models.CharField(_("section of the decision"), max_length=200)
    applies_when = models.JSONField(
        _("applies to"),
        default=list,
        blank=True,
        help_text=_("Conditions on the clinic's attributes; empty means every clinic."),
    )
    may_be_not_applicable = models.BooleanField(
        _("may be reported as not applicable"), default=False
    )
    exemption_kinds = models.JSONField(_("allowed exemptions"), default=list, blank=True)
    permanent_exemption_allowed = models.BooleanField(
        _("exemptions may apply until further notice"), default=False
    )
    asks_channel = models.BooleanField(_("asks for the channel"), default=False)
    level = models.CharField(
        _("level"),
        max_length=10,
        choices=RequirementLevel.choices,
        default=RequirementLevel.REQUIRED,
    )
    approval_required = models.BooleanField(_("met only with an approval in force"), default=False)
    applies_if_channel = models.JSONField(
        _("applies only for the channels"),
        null=True,
        blank=True,
        help_text=_("Applies only when an answer in the area names one of these channels."),
    )
    exemption_rules = models.JSONField(
        _("rules of the exemptions"),
        default=list,
        blank=True,
        help_text=_(
            "Per exemption: the reasons allowed, whether the alternative must be described, "
            "and a requirement that must be met while it counts."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
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
        return requirement_rule(
            code=self.code,
            area_code=self.area.code,
            applies_when=self.applies_when,
            may_be_not_applicable=self.may_be_not_applicable,
            exemption_kinds=self.exemption_kinds,
            level=self.level,
            approval_required=self.approval_required,
            applies_if_channel=self.applies_if_channel,
            exemption_rules=self.exemption_rules,
        )

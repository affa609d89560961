"""The register in the admin, with the history of every change. Nothing is deleted here:
clinics are closed by setting their end date, reports are kept forever. Reports, rounds
and exemption cases are only read here: each of their changes goes through a service that
records it on their timeline. API keys are listed (never their secret) for revoking."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from clinics import access
from clinics.models import (
    Answer,
    ApiToken,
    CaseEvent,
    Clinic,
    ExemptionCase,
    Provider,
    Report,
    ReportEvent,
    ReportingRound,
    SignIn,
    User,
)
from clinics.selectors import awaiting_role
from clinics.services.api_tokens import revoke_api_token
from clinics.services.register import save_clinic, save_provider
from requirements.vocabulary import Municipality


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyMixin(NoDeleteMixin):
    """Shown, never added or changed here: the services keep these and their events."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Provider)
class ProviderAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["name", "organisation_number", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "organisation_number", "hsa_id"]

    def save_model(self, request, obj, form, change) -> None:
        save_provider(provider=obj, actor=request.user)


class MunicipalityFilter(admin.SimpleListFilter):
    """The municipalities by name, not in the order of their codes."""

    title = _("municipality")
    parameter_name = "municipality_code"

    def lookups(self, request, model_admin):
        return Municipality.by_name()

    def queryset(self, request, queryset):
        return queryset.filter(municipality_code=self.value()) if self.value() else queryset


@admin.register(Clinic)
class ClinicAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "hsa_id",
        "provider",
        "kind",
        "municipality_code",
        "contract_form",
        "active_until",
    ]
    list_filter = ["kind", "care_type", MunicipalityFilter, "contract_form", "provider__kind"]
    search_fields = ["name", "hsa_id", "provider__name"]
    list_select_related = ["provider"]
    autocomplete_fields = ["provider"]
    # The page on 1177 is https, as every address here (clinics.links): one typed without
    # a scheme is taken as https, as Django 6 will.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "municipality_code":
            kwargs["choices"] = [("", "---------"), *Municipality.by_name()]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        save_clinic(clinic=obj, actor=request.user)


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    can_delete = False
    fields = ["requirement", "status", "channel", "evidence_url", "justification", "reported_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "from_state", "to_state", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Reports change only through their services (submit, approve, return)."""

    list_display = ["clinic", "state", "catalogue_version", "submitted_at", "decided_at"]
    list_filter = ["state", "catalogue_version"]
    search_fields = ["clinic__name", "clinic__hsa_id"]
    list_select_related = ["clinic", "catalogue_version"]
    inlines = [AnswerInline, ReportEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportingRound)
class ReportingRoundAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Rounds are opened and closed on their own pages, through their services, which
    create and freeze the rounds' reports; here they can only be read."""

    list_display = ["name", "deadline", "opened_at", "opened_by", "closed_at", "closed_by"]
    search_fields = ["name"]
    list_select_related = ["opened_by", "closed_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CaseEventInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "from_state", "to_state", "comment"]
    readonly_fields = fields


@admin.register(ExemptionCase)
class ExemptionCaseAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Cases are requested, decided and revoked on their pages, through their services,
    which keep the compliance timeline; here they can only be read."""

    list_display = [
        "clinic",
        "requirement",
        "kind",
        "exemption_kind",
        "state",
        "valid_from",
        "valid_until",
        "submitted_at",
        "decided_at",
    ]
    list_filter = ["state", "kind", "exemption_kind", "requirement__code"]
    search_fields = ["clinic__name", "clinic__hsa_id"]
    list_select_related = ["clinic", "requirement"]
    date_hierarchy = "created_at"
    inlines = [CaseEventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "case", "actor", "from_state", "to_state"]
    list_filter = ["to_state"]
    search_fields = ["case__clinic__name", "case__clinic__hsa_id"]
    list_select_related = ["case__clinic", "actor"]


class AwaitingRoleFilter(admin.SimpleListFilter):
    """Who signed in with SITHS and waits for a role (the follow-up page links here)."""

    title = _("waiting for a role")
    parameter_name = "awaiting_role"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=awaiting_role().values("pk"))
        return queryset


class SignInInline(ReadOnlyMixin, admin.TabularInline):
    """The user's sign-ins, newest first: how, and at which level of assurance."""

    model = SignIn
    fields = ["at", "method", "acr"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    ordering = ["-at"]


@admin.register(User)
class UserAdmin(NoDeleteMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "email", "hsa_id", "role", "is_active"]
    list_filter = [AwaitingRoleFilter, "role", "is_active"]
    search_fields = [*DjangoUserAdmin.search_fields, "hsa_id"]
    filter_horizontal = ["clinics", "providers", "groups", "user_permissions"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Role and permissions"), {"fields": ["role", "hsa_id", "clinics", "providers"]}),
    ]
    inlines = [SignInInline]

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's API keys, for a region admin to revoke one (delete, through the
    service that records who did it). Keys are made by their users on their page."""

    list_display = ["name", "user", "token_key", "created", "expiry"]
    list_filter = ["expiry"]
    search_fields = ["name", "token_key", "user__username"]
    list_select_related = ["user"]
    fields = ["name", "user", "token_key", "created", "expiry"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return access.is_region_admin(request.user)

    def delete_model(self, request, obj: ApiToken) -> None:
        revoke_api_token(token=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset:
            revoke_api_token(token=token, actor=request.user)

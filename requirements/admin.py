"""The catalogue in the admin: to read, never to edit. A new version comes only through
``import_catalogue``, so what a clinic was judged against can always be shown again."""

from django.contrib import admin

from requirements.models import Area, CatalogueVersion, Requirement


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(ReadOnlyAdmin):
    list_display = ["decision_id", "revision", "title", "effective_from", "imported_at"]


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    list_display = ["name_sv", "code", "in_baseline", "version"]
    list_filter = ["version", "in_baseline"]


@admin.register(Requirement)
class RequirementAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_sv", "area", "may_be_not_applicable", "version"]
    list_filter = ["version", "area__code", "may_be_not_applicable"]
    search_fields = ["code", "name_sv", "name_en"]
    list_select_related = ["area", "version"]

from django.apps import AppConfig
from django.apps import apps as django_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def rebuild_on_new_catalogue(sender, version, **kwargs) -> None:
    """A new version may take effect on any day, past ones included: every clinic is
    judged against it from then on."""
    from clinics.timeline import rebuild_all

    rebuild_all()


def build_missing_timeline(sender, using: str, apps=None, **kwargs) -> None:
    """A database that had clinics before the timeline existed gets it on the migration
    that creates it, rather than an overview with no clinic in it."""
    from clinics.models import Clinic, ClinicStatusPeriod
    from clinics.timeline import rebuild_all

    try:
        # The state migrated to: after a migration back to before the timeline, none.
        (apps or django_apps).get_model("clinics", "ClinicStatusPeriod")
    except LookupError:
        return
    timeline_empty = not ClinicStatusPeriod.objects.using(using).exists()
    if timeline_empty and Clinic.objects.using(using).exists():
        rebuild_all()


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = _("Clinics")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from clinics.catalogue_preview import catalogue_impact
        from clinics.clinic_page import add_section
        from clinics.views.action_plans import clinic_page_section
        from halland_utbud.oidc import check_role_map
        from halland_utbud.sessions import record_sign_in
        from requirements.previews import register_impact
        from requirements.signals import catalogue_version_stored

        checks.register(check_role_map)
        register_impact(catalogue_impact)
        add_section(clinic_page_section)

        catalogue_version_stored.connect(
            rebuild_on_new_catalogue, weak=False, dispatch_uid="clinics.rebuild_timelines"
        )
        # The project's session limits count from the sign-in (halland_utbud.sessions).
        user_logged_in.connect(record_sign_in, dispatch_uid="halland_utbud.record_sign_in")
        post_migrate.connect(
            build_missing_timeline, sender=self, dispatch_uid="clinics.build_missing_timeline"
        )

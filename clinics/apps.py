from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = _("Clinics")

    def ready(self) -> None:
        from clinics.timeline import rebuild_all
        from requirements.signals import catalogue_version_stored

        def rebuild_on_new_catalogue(sender, version, **kwargs) -> None:
            # A new version may take effect on any day, past ones included: every clinic
            # is judged against it from then on.
            rebuild_all()

        catalogue_version_stored.connect(
            rebuild_on_new_catalogue, weak=False, dispatch_uid="clinics.rebuild_timelines"
        )

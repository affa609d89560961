from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        # The clinic page shows the clinic's measured usage and its own indicators, drawn
        # here: clinics imports nothing of the follow-up.
        from clinics.clinic_page import add_section
        from followup import clinic_sections

        add_section(clinic_sections.usage_section)
        add_section(clinic_sections.clinic_indicators_section)

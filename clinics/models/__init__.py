from clinics.models.action_plans import (
    ActionPlan,
    ActionPlanEvent,
    ActionPlanItem,
    ActionPlanState,
)
from clinics.models.cases import (
    CaseEvent,
    CaseKind,
    CaseNotification,
    CaseState,
    ExemptionCase,
    ReasonCategory,
    ReminderKind,
)
from clinics.models.catalogue_uploads import CatalogueUpload
from clinics.models.register import Clinic, Provider
from clinics.models.reports import Answer, Report, ReportEvent, ReportingRound, ReportState
from clinics.models.timeline import (
    AreaStatusPeriod,
    ClinicStatusPeriod,
    RequirementStatusPeriod,
)
from clinics.models.users import Role, User

__all__ = [
    "ActionPlan",
    "ActionPlanEvent",
    "ActionPlanItem",
    "ActionPlanState",
    "Answer",
    "AreaStatusPeriod",
    "CaseEvent",
    "CaseKind",
    "CaseNotification",
    "CaseState",
    "CatalogueUpload",
    "Clinic",
    "ClinicStatusPeriod",
    "ExemptionCase",
    "Provider",
    "ReasonCategory",
    "ReminderKind",
    "Report",
    "ReportEvent",
    "ReportState",
    "ReportingRound",
    "RequirementStatusPeriod",
    "Role",
    "User",
]

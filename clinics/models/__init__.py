from clinics.models.action_plans import (
    ActionPlan,
    ActionPlanEvent,
    ActionPlanItem,
    ActionPlanState,
)
from clinics.models.api_tokens import ApiToken
from clinics.models.cases import (
    CaseEvent,
    CaseKind,
    CaseState,
    ExemptionCase,
    ReasonCategory,
)
from clinics.models.catalogue_uploads import CatalogueUpload
from clinics.models.notifications import Notification, NotificationKind
from clinics.models.register import Clinic, Provider
from clinics.models.reports import (
    Answer,
    AnswerAction,
    Report,
    ReportEvent,
    ReportingRound,
    ReportingStatus,
    ReportState,
)
from clinics.models.timeline import (
    AreaStatusPeriod,
    ClinicStatusPeriod,
    RequirementStatusPeriod,
)
from clinics.models.users import NO_ROLE, Role, SignIn, SignInMethod, User

__all__ = [
    "NO_ROLE",
    "ActionPlan",
    "ActionPlanEvent",
    "ActionPlanItem",
    "ActionPlanState",
    "Answer",
    "AnswerAction",
    "ApiToken",
    "AreaStatusPeriod",
    "CaseEvent",
    "CaseKind",
    "CaseState",
    "CatalogueUpload",
    "Clinic",
    "ClinicStatusPeriod",
    "ExemptionCase",
    "Notification",
    "NotificationKind",
    "Provider",
    "ReasonCategory",
    "Report",
    "ReportEvent",
    "ReportState",
    "ReportingRound",
    "ReportingStatus",
    "RequirementStatusPeriod",
    "Role",
    "SignIn",
    "SignInMethod",
    "User",
]

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
from clinics.models.users import Role, User

__all__ = [
    "Answer",
    "AnswerAction",
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
    "ReportingStatus",
    "RequirementStatusPeriod",
    "Role",
    "User",
]

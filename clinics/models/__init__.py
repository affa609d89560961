from clinics.models.cases import (
    CaseEvent,
    CaseKind,
    CaseNotification,
    CaseState,
    ExemptionCase,
    ReasonCategory,
    ReminderKind,
)
from clinics.models.register import Clinic, Provider
from clinics.models.reports import Answer, Report, ReportEvent, ReportingRound, ReportState
from clinics.models.users import Role, User

__all__ = [
    "Answer",
    "CaseEvent",
    "CaseKind",
    "CaseNotification",
    "CaseState",
    "Clinic",
    "ExemptionCase",
    "Provider",
    "ReasonCategory",
    "ReminderKind",
    "Report",
    "ReportEvent",
    "ReportState",
    "ReportingRound",
    "Role",
    "User",
]

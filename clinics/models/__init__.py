from clinics.models.register import Clinic, Provider
from clinics.models.reports import Answer, Report, ReportEvent, ReportingRound, ReportState
from clinics.models.users import Role, User

__all__ = [
    "Answer",
    "Clinic",
    "Provider",
    "Report",
    "ReportEvent",
    "ReportState",
    "ReportingRound",
    "Role",
    "User",
]

"""The follow-up's sections of the clinic page: the clinic's measured usage beside its
answers, and its own indicators. Each reads in a constant number of queries."""

from clinics import access
from clinics.clinic_page import ClinicPage, Section
from clinics.models import User
from followup.clinic_indicator_trends import clinic_indicator_trends
from followup.usage import usage_beside_answers


def usage_section(page: ClinicPage, user: User) -> Section | None:
    """The clinic's measured usage beside its answers, flagging a service answered met
    but not used once; nothing until the region has usage figures. In two queries."""
    lines = usage_beside_answers(page)
    if lines is None:
        return None
    return Section(
        "followup/clinic/usage.html",
        {"lines": lines, "mismatches": sum(line.mismatch for line in lines)},
    )


def clinic_indicators_section(page: ClinicPage, user: User) -> Section | None:
    """The clinic's own indicators, each with its chart and table, for everyone who sees
    the clinic; its reporters also get the links to define, change and report them. In
    two queries (three for a reporter, who is asked whether they keep them)."""
    return Section(
        "followup/clinic_indicators/section.html",
        {
            "clinic": page.clinic,
            "trends": clinic_indicator_trends(page.clinic, today=page.on_date),
            "may_keep": access.may_report_for(user, page.clinic),
        },
    )

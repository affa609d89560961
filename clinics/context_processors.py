from django.http import HttpRequest

from clinics import access

# url name -> the header section it belongs to, so a sub-page marks its section current.
_SECTIONS = {
    "overview": "overview",
    "follow_up": "follow_up",
    "target_list": "follow_up",
    "target_create": "follow_up",
    "target_edit": "follow_up",
    "recompute_detail": "follow_up",
    "clinic_detail": "overview",
    "clinic_history": "overview",
    "my_clinics": "reporting",
    "report_edit": "reporting",
    "review_queue": "review",
    "review_report": "review",
    "case_queue": "cases",
    "exemption_list": "cases",
    "case_detail": "cases",
    "case_create": "reporting",
    "case_edit": "reporting",
    "round_list": "rounds",
    "round_create": "rounds",
    "round_detail": "rounds",
    "notifications": "notifications",
    "api_tokens": "api_tokens",
}


def navigation(request: HttpRequest) -> dict:
    """What the header shows: the signed-in user's role and the sections they may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    return {
        "nav": {
            "current": _SECTIONS.get(match.url_name if match else None),
            "overview": access.sees_everything(user),
            "follow_up": access.sees_everything(user),
            "reporting": access.is_reporter(user),
            "review": access.is_reviewer(user),
            # The cases' section: a reviewer's work queue, everyone else's list of them.
            "cases": (
                ("case_queue" if access.is_reviewer(user) else "exemption_list")
                if access.may_see_cases(user)
                else ""
            ),
            "rounds": access.is_region_admin(user),
            "admin": access.is_region_admin(user) and user.is_staff,
            "notifications": access.has_notifications(user),
            "api_tokens": access.may_hold_api_tokens(user),
        }
    }

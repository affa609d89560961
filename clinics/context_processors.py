from django.http import HttpRequest

from clinics import access


def navigation(request: HttpRequest) -> dict:
    """What the header shows: the signed-in user's role and the sections they may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "overview": access.sees_everything(user),
            "reporting": access.is_reporter(user),
            "review": access.is_reviewer(user),
            "rounds": access.is_region_admin(user),
            "admin": access.is_region_admin(user) and user.is_staff,
        }
    }

"""A user's API keys: the list, a form to make one, and a button to revoke each.

A new key is shown in the answer to the form's POST, and never again: it is not put in
the session or a message (both stored), only knox's digest of it is kept. Reloading that
answer sends the form again, which the names' uniqueness refuses.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinics import access
from clinics.forms.api_tokens import ApiTokenForm
from clinics.forms.fields import apply_service_errors
from clinics.services.api_tokens import create_api_token, revoke_api_token
from halland_utbud.errors import ApplicationError


@access.role_required(access.may_hold_api_tokens)
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = create_api_token(user=request.user, name=form.cleaned_data["name"])
        except ApplicationError as error:
            errors = error.extra.get("errors") or {None: [error.message]}
            apply_service_errors(form, errors, {})
        else:
            form = ApiTokenForm()
    return render(
        request,
        "clinics/api_tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": access.visible_api_tokens(request.user),
            "ttl_days": settings.API_TOKEN_TTL_DAYS,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@access.role_required(access.may_hold_api_tokens)
def api_token_revoke(request: HttpRequest, token_key: str) -> HttpResponse:
    # Another user's key does not exist here, nor does one already revoked.
    token = get_object_or_404(access.visible_api_tokens(request.user), token_key=token_key)
    revoke_api_token(token=token, actor=request.user)
    messages.success(
        request,
        _("The API key “%(name)s” is revoked: it is refused from now on.") % {"name": token.name},
    )
    return redirect("api_tokens")


urlpatterns = [
    path("konto/api-nycklar/", api_tokens, name="api_tokens"),
    path(
        "konto/api-nycklar/<str:token_key>/aterkalla/", api_token_revoke, name="api_token_revoke"
    ),
]

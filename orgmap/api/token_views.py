"""The API tokens panel of the profile page: create (the token is shown once, in the
response that creates it), list, revoke. A person sees and revokes only their own."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..forms import ProfileForm
from . import tokens
from .models import ApiToken

EXPIRY_CHOICES = [
    ("30", gettext_lazy("in 30 days")),
    ("90", gettext_lazy("in 90 days")),
    ("365", gettext_lazy("in a year")),
    ("", gettext_lazy("never")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        help_text=gettext_lazy("What uses it, e.g. “HR sync”."),
    )
    expires_in = forms.ChoiceField(
        label=gettext_lazy("Expires"), choices=EXPIRY_CHOICES, required=False, initial="90"
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name

    def expires_at(self) -> datetime.datetime | None:
        days = self.cleaned_data.get("expires_in")
        return timezone.now() + datetime.timedelta(days=int(days)) if days else None


def token_panel(
    request: HttpRequest, *, form: TokenForm | None = None, new_token: str = ""
) -> dict:
    """The profile page's context for the panel."""
    return {
        "api_tokens": list(ApiToken.objects.filter(user=request.user)),
        "token_form": form or TokenForm(),
        "new_token": new_token,
    }


def render_profile(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    """The profile page (orgmap/views/organisation.py) with this panel."""
    context.setdefault("form", ProfileForm(instance=request.user.profile))
    return render(
        request, "orgmap/profile.html", {**token_panel(request), **context}, status=status
    )


@never_cache
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return render_profile(request, token_panel(request, form=form), status=400)
    token, raw = tokens.token_create(
        user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
    )
    messages.success(
        request,
        _("Token “%(name)s” created. Copy it now: it is not shown again.") % {"name": token.name},
    )
    return render_profile(request, token_panel(request, new_token=raw), status=201)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.token_revoke(token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("profile")

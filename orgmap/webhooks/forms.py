"""The endpoint form of the webhooks pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import guard
from .models import EVENT_TYPES, Endpoint


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("orgmap POSTs each event here as JSON, signed with the endpoint's secret."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EVENT_TYPES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            guard.check_url(url)
        except guard.UrlRefused as refused:
            raise forms.ValidationError(
                guard.refusal_message(refused), code=refused.code
            ) from refused
        return url


class EndpointEditForm(EndpointForm):
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Inactive endpoints get no new events; what waits for them is kept."),
    )

    @classmethod
    def for_endpoint(cls, endpoint: Endpoint, data=None) -> EndpointEditForm:
        return cls(
            data,
            initial={
                "url": endpoint.url,
                "description": endpoint.description,
                "events": endpoint.events,
                "active": endpoint.active,
            },
        )

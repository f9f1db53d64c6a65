"""The form of a team charter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# ---------------------------------------------------------------------- team charters


class CharterForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the team exists. **bold**, *emphasis*, lists and links work."),
    )
    values = forms.CharField(
        label=_("Shared values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, starting with “- ”, makes a list."),
    )
    working_agreements = forms.CharField(
        label=_("Working agreements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].error_messages["required"] = _("State the team's purpose.")

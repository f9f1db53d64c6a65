"""`Authorization: Bearer <token>` with a personal token (tokens.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from . import tokens


def _refusal_message(code: str) -> str:
    return {
        tokens.TokenRefused.MALFORMED: _(
            "The Authorization header must read “Bearer” and a token, e.g. Bearer om_…"
        ),
        tokens.TokenRefused.UNKNOWN: _("This token is not valid."),
        tokens.TokenRefused.EXPIRED: _("This token has expired; create a new one on your profile."),
        tokens.TokenRefused.REVOKED: _("This token was revoked."),
        tokens.TokenRefused.INACTIVE: _("The account of this token is inactive."),
    }[code]


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None  # not ours: session authentication may apply
        try:
            if len(header) != 2:
                raise tokens.TokenRefused(tokens.TokenRefused.MALFORMED)
            try:
                raw = header[1].decode("ascii")
            except UnicodeDecodeError:
                raise tokens.TokenRefused(tokens.TokenRefused.MALFORMED) from None
            token = tokens.token_authenticate(raw)
        except tokens.TokenRefused as refusal:
            raise AuthenticationFailed(_refusal_message(refusal.code), code=refusal.code) from None
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token."}

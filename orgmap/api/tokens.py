"""Creating, checking and revoking personal API tokens.

A token reads `om_<prefix>_<secret>`. The prefix finds the row; the digest of the whole
token (sha256; the secret has 256 random bits, so a slow hash adds nothing) is compared
in constant time. The plain token exists only in the response that creates it."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import ApiToken

PREFIX = "om"
# last_used_at is written at most this often per token: not one write per request.
LAST_USED_GRANULARITY = datetime.timedelta(minutes=1)


class TokenRefused(Exception):
    """Why a presented token does not authenticate; `code` is stable."""

    MALFORMED = "token_malformed"
    UNKNOWN = "token_unknown"
    EXPIRED = "token_expired"
    REVOKED = "token_revoked"
    INACTIVE = "account_inactive"

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: AbstractBaseUser, name: str, expires_at: datetime.datetime | None
) -> tuple[ApiToken, str]:
    """A new token and its plain text, which is never stored and cannot be shown again."""
    prefix = secrets.token_hex(6)
    raw = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=prefix, digest=_digest(raw), expires_at=expires_at
    )
    return token, raw


def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> ApiToken:
    """The token, with its user loaded, or TokenRefused: one query (and at most one
    write a minute for the last-used time)."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        raise TokenRefused(TokenRefused.MALFORMED)
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
        raise TokenRefused(TokenRefused.UNKNOWN)
    if token.revoked_at is not None:
        raise TokenRefused(TokenRefused.REVOKED)
    if token.is_expired:
        raise TokenRefused(TokenRefused.EXPIRED)
    if not token.user.is_active:
        raise TokenRefused(TokenRefused.INACTIVE)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token

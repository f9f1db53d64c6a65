"""Parsers for the settings that are given as strings in the environment (EMAIL_URL,
REMINDER_LEAD_TIMES): kept out of settings.py so that it stays a list of settings."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}


def parse_email_url(url: str) -> dict:
    parsed = urlsplit(url)
    if parsed.scheme not in EMAIL_BACKENDS:
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be one of {sorted(EMAIL_BACKENDS)}.")
    mailer: dict = {"BACKEND": EMAIL_BACKENDS[parsed.scheme]}
    if parsed.scheme == "smtp":
        query = parse_qs(parsed.query)
        mailer["OPTIONS"] = {
            "host": parsed.hostname or "localhost",
            "port": parsed.port or 25,
            "username": unquote(parsed.username or ""),
            "password": unquote(parsed.password or ""),
            "use_tls": query.get("tls", ["0"])[0] in {"1", "true", "yes"},
            "use_ssl": query.get("ssl", ["0"])[0] in {"1", "true", "yes"},
            "timeout": int(query.get("timeout", ["10"])[0]),
        }
    return mailer


def parse_lead_times(value: str) -> list[int]:
    """'24h,15m' -> [1440, 15]: minutes before each meeting; units m, h, d (bare: m)."""
    units = {"m": 1, "h": 60, "d": 1440}
    minutes = []
    for item in (part.strip().lower() for part in value.split(",")):
        if not item:
            continue
        unit = units.get(item[-1])
        number = item[:-1] if unit else item
        if not number.isdigit() or int(number) <= 0:
            raise ImproperlyConfigured(
                f"REMINDER_LEAD_TIMES: {item!r} is not a lead time like 24h, 90m or 2d."
            )
        minutes.append(int(number) * (unit or 1))
    return sorted(set(minutes), reverse=True)

"""The email of a reminder: its summary line, the page it links to, and the message
(HTML and text, with an .ics for meetings)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from collaboration.meetings import calendar, recurrence

from .models import ReminderDelivery

Kind = ReminderDelivery.Kind
Status = ReminderDelivery.Status


CONFIRMATION_KINDS = (Kind.CONFIRMATION, Kind.CONFIRMATION_ESCALATION)


def _confirmation_summary(delivery: ReminderDelivery) -> str:
    values = {
        "title": delivery.role.title,
        "department": delivery.role.department.name,
        "date": formats.date_format(delivery.due_on, "DATE_FORMAT"),
        "days": settings.ATTESTATION_ESCALATION_DAYS,
    }
    if delivery.kind == Kind.CONFIRMATION_ESCALATION:
        return (
            _(
                "Holders of the role “%(title)s” (%(department)s) have not confirmed its role description for %(days)s days (due on %(date)s)."
            )
            % values
        )
    return (
        _(
            "Please confirm the description of your role “%(title)s” (%(department)s): it was due on %(date)s."
        )
        % values
    )


def reminder_summary(delivery: ReminderDelivery) -> str:
    """One translated sentence, in the active language, for the bell and the email."""
    if delivery.kind == Kind.MESSAGE:
        return _message_text(delivery)[0]
    if delivery.meeting_id:
        meeting = delivery.meeting
        local = delivery.occurrence.astimezone(recurrence.zone(meeting.time_zone))
        return _("“%(title)s” starts on %(date)s at %(time)s (%(zone)s).") % {
            "title": meeting.title,
            "date": formats.date_format(local, "DATE_FORMAT"),
            "time": local.strftime("%H:%M"),
            "zone": meeting.time_zone,
        }
    if delivery.action_id:
        action = delivery.action
        values = {
            "title": action.title,
            "owner": action.owner.profile.name,
            "date": formats.date_format(delivery.due_on, "DATE_FORMAT"),
            "days": settings.REMINDER_ESCALATION_DAYS,
        }
        if delivery.kind == Kind.ACTION_ESCALATION:
            return (
                _(
                    "The improvement action “%(title)s” (owner: %(owner)s) has been overdue for %(days)s days (due on %(date)s)."
                )
                % values
            )
        return (
            _("The improvement action “%(title)s” was due on %(date)s and is not done yet.")
            % values
        )
    if delivery.kind in CONFIRMATION_KINDS:
        return _confirmation_summary(delivery)
    subject = delivery.role or delivery.duty
    values = {
        "title": str(subject),
        "department": subject.department.name,
        "date": formats.date_format(delivery.due_on, "DATE_FORMAT"),
        "days": settings.REMINDER_ESCALATION_DAYS,
    }
    if delivery.kind == Kind.ESCALATION:
        if delivery.role_id:
            return (
                _(
                    "The review of the role “%(title)s” (%(department)s) has been overdue for %(days)s days (due on %(date)s)."
                )
                % values
            )
        return (
            _(
                "The review of the duty “%(title)s” (%(department)s) has been overdue for %(days)s days (due on %(date)s)."
            )
            % values
        )
    if delivery.role_id:
        return (
            _("The review of the role “%(title)s” (%(department)s) fell due on %(date)s.") % values
        )
    return _("The review of the duty “%(title)s” (%(department)s) fell due on %(date)s.") % values


def _message_text(delivery: ReminderDelivery) -> list[str]:
    """A message's [summary, subject] in the active language (else the site's)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    texts = delivery.texts or {}
    return texts.get(language) or texts.get(settings.LANGUAGE_CODE) or ["", ""]


def reminder_url(delivery: ReminderDelivery) -> str:
    if delivery.kind == Kind.MESSAGE:
        return delivery.link
    if delivery.meeting_id:
        return delivery.meeting.get_absolute_url()
    if delivery.action_id:
        # Its owner and the managers escalated to may both change it there.
        return reverse("action-edit", args=[delivery.action_id])
    if delivery.kind == Kind.CONFIRMATION:
        return reverse("role-confirm", args=[delivery.role_id])
    if delivery.kind == Kind.CONFIRMATION_ESCALATION:
        code = delivery.role.department.code
        return f"{reverse('confirmation-coverage')}?department={code}"
    if delivery.kind == Kind.ESCALATION:
        # The head of the parent department may not be one who records the review.
        subject = delivery.role or delivery.duty
        return reverse("department-reviews", args=[subject.department.code])
    if delivery.role_id:
        return reverse("role-review", args=[delivery.role_id])
    return reverse("duty-review", args=[delivery.duty_id])


def reminder_email(
    delivery: ReminderDelivery, *, ics: bytes | None = None
) -> EmailMultiAlternatives:
    """The email, in the recipient's language; times in the meeting's time zone.
    `ics`: the meeting's calendar file, when the caller has it already (a batch of
    reminders of one meeting shares it)."""
    recipient = delivery.recipient
    meeting = delivery.meeting
    zone_name = meeting.time_zone if meeting else settings.TIME_ZONE
    with translation.override(recipient.profile.preferred_language), timezone.override(zone_name):
        context = {
            "delivery": delivery,
            "recipient": recipient,
            "meeting": meeting,
            "subject": delivery.role or delivery.duty,
            "action": delivery.action,
            "escalation_days": (
                settings.ATTESTATION_ESCALATION_DAYS
                if delivery.kind in CONFIRMATION_KINDS
                else settings.REMINDER_ESCALATION_DAYS
            ),
            "summary": reminder_summary(delivery),
            "url": calendar.site_url(reminder_url(delivery)),
            "site_url": settings.SITE_URL,
            "profile_url": calendar.site_url(reverse("profile")),
        }
        if delivery.kind == Kind.MESSAGE:
            template = "message"
            context["message_subject"] = _message_text(delivery)[1]
        elif meeting:
            template = "meeting_reminder"
        elif delivery.action_id:
            template = "action_reminder"
        elif delivery.kind in CONFIRMATION_KINDS:
            template = "confirmation_reminder"
        else:
            template = "review_reminder"
        subject = render_to_string(f"reminders/email/{template}_subject.txt", context)
        body = render_to_string(f"reminders/email/{template}.txt", context)
        html = render_to_string(f"reminders/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=body, to=[recipient.email]
    )
    message.attach_alternative(html, "text/html")
    if meeting:
        message.attach(
            f"{slugify(meeting.title) or 'meeting'}.ics",
            (ics or calendar.meeting_ics(meeting)).decode(),
            "text/calendar",
        )
    return message

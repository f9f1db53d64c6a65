"""Webhooks: orgmap tells other systems what changed.

A sub-app of the lowest layer (label "webhooks"), so that every app may publish to it:
writers call `orgmap.webhooks.events.publish()` (or `publish_many()` for a bulk write)
inside their transaction; the event is recorded there and its deliveries go out from
Celery after the commit. docs/webhooks.md describes what a receiver gets.
"""

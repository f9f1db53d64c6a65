"""The header's language switch, the profile time zone, and one date format per language."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_switches_to_chinese_from_the_header(client, demo_org):
    login = client.get(reverse("login"))
    assert f'action="{reverse("language-switch")}"' in login.text
    response = client.post(
        reverse("language-switch"), {"language": "zh-hans", "next": reverse("login")}
    )
    assert response.status_code == 302 and response.url == reverse("login")
    page = client.get(reverse("login"))
    assert '<html lang="zh-hans">' in page.text
    assert "登录" in page.text


def test_signed_in_person_switches_and_the_profile_remembers(member, client_for):
    client = client_for(member)
    response = client.post(
        reverse("language-switch"), {"language": "zh-hans", "next": reverse("org-overview")}
    )
    assert response.status_code == 302
    member.profile.refresh_from_db()
    assert member.profile.language == "zh-hans"
    # A new session (another browser) speaks Chinese too: the profile decides.
    assert '<html lang="zh-hans">' in client_for(member).get(reverse("org-overview")).text
    client.post(reverse("language-switch"), {"language": "en", "next": "/"})
    member.profile.refresh_from_db()
    assert member.profile.language == "en"


def test_unknown_language_or_foreign_next_changes_nothing(member, client_for):
    client = client_for(member)
    response = client.post(
        reverse("language-switch"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and "evil" not in response.url
    member.profile.refresh_from_db()
    assert member.profile.language == ""


def test_language_switch_refuses_get(client):
    assert client.get(reverse("language-switch")).status_code == 405


def test_profile_time_zone_is_offered_validated_and_saved(member, client_for, settings):
    client = client_for(member)
    page = client.get(reverse("profile"))
    assert f"The organisation&#x27;s ({settings.TIME_ZONE})" in page.text
    bad = client.post(
        reverse("profile"), {"display_name": "M", "time_zone": "Mars/Olympus", "language": ""}
    )
    assert bad.status_code == 200 and "Select a valid choice" in bad.text
    member.profile.refresh_from_db()
    assert member.profile.time_zone == ""
    client.post(
        reverse("profile"), {"display_name": "M", "time_zone": "Europe/Berlin", "language": ""}
    )
    member.profile.refresh_from_db()
    assert member.profile.time_zone == "Europe/Berlin"


def test_middleware_shows_times_in_the_viewers_zone_and_says_which(member, client_for):
    from collaboration.meetings.models import Meeting

    starts = (timezone.now() + datetime.timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    Meeting.objects.create(
        title="Zone check", starts_at=starts, time_zone="UTC", duration_minutes=30
    )
    member.profile.time_zone = "Asia/Shanghai"
    member.profile.save(update_fields=["time_zone"])
    page = client_for(member).get(reverse("collaboration-dashboard"))
    # 09:00 UTC is 17:00 in Shanghai (no daylight saving there), and the page says so.
    assert "17:00</time> (Asia/Shanghai)" in page.text
    member.profile.time_zone = ""
    member.profile.save(update_fields=["time_zone"])
    page = client_for(member).get(reverse("collaboration-dashboard"))
    assert "09:00</time> (UTC)" in page.text


def test_a_stored_zone_the_system_no_longer_knows_falls_back(member, client_for):
    member.profile.time_zone = "Nowhere/Gone"
    member.profile.save(update_fields=["time_zone"])
    assert client_for(member).get(reverse("org-overview")).status_code == 200


def test_one_date_format_per_language():
    day = datetime.date(2026, 12, 1)
    moment = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("UTC"))
    with translation.override("en"):
        assert formats.date_format(day, "DATE_FORMAT") == "1 Dec 2026"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "Tue 1 Dec 2026, 10:00"
    with translation.override("zh-hans"):
        assert formats.date_format(day, "DATE_FORMAT") == "2026年12月1日"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "2026年12月1日 10:00"
        assert "星期" not in formats.date_format(moment, "DATETIME_FORMAT").split(" ")[0]


def test_the_time_zone_list_is_one_select_with_the_chosen_zone_and_its_help():
    from orgmap.forms import LongSelect, ProfileForm

    form = ProfileForm(initial={"time_zone": "Asia/Shanghai"})
    html = str(form["time_zone"])
    assert isinstance(form.fields["time_zone"].widget, LongSelect)
    assert html.startswith('<select name="time_zone"')
    assert 'id="id_time_zone"' in html
    assert 'aria-describedby="id_time_zone_helptext"' in html
    assert '<option value="Asia/Shanghai" selected>Asia/Shanghai</option>' in html
    assert html.count(" selected") == 1
    assert html.count("<option") == len(list(form.fields["time_zone"].choices))
    escaped = LongSelect(choices=[("<x>", "a & b")]).render("zone", "<x>")
    assert (
        escaped
        == '<select name="zone"><option value="&lt;x&gt;" selected>a &amp; b</option></select>'
    )


def test_the_long_select_marks_only_the_chosen_option_of_its_kept_markup():
    """The options are escaped once and kept: each render marks its own choice, and a
    render with another choice (or none) is not affected by an earlier one."""
    from orgmap.forms import LongSelect

    select = LongSelect(choices=[("", "none"), ("a", "A"), ("b&c", "B & C"), ("a", "again")])
    first = select.render("zone", "b&c")
    assert '<option value="b&amp;c" selected>B &amp; C</option>' in first
    assert first.count(" selected") == 1
    second = select.render("zone", "a")
    assert second.count(" selected") == 1
    assert '<option value="a" selected>A</option><option value="b&amp;c">' in second
    assert '<option value="a">again</option>' in second  # only the first of a value
    assert " selected" not in select.render("zone", "unknown")
    assert " selected" not in select.render("zone", None).replace('value="" selected', "")
    assert select.render("zone", "").count(" selected") == 1

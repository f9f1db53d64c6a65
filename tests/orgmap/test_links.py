"""detail_url writes the same addresses as reverse(), under any script prefix."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from orgmap.links import detail_url


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("role-detail", 42),
        ("duty-detail", 7306429158306),
        ("person-detail", "wang.fang"),
        ("person-detail", "anna+lab@example.com"),
        ("person-detail", "王芳"),
        ("department-detail", "R&D"),
        ("project-detail", "Q1 launch?"),
    ],
)
def test_the_same_address_as_reverse(name, value):
    assert detail_url(name, value) == reverse(name, args=[value])


def test_a_script_prefix_is_kept_apart():
    try:
        set_script_prefix("/orgmap/")
        assert detail_url("role-detail", 3) == "/orgmap/roles/3/"
    finally:
        set_script_prefix("/")
    assert detail_url("role-detail", 3) == "/roles/3/"


def test_what_reverse_refuses_it_refuses():
    for value in ("", "a/b"):
        with pytest.raises(NoReverseMatch):
            detail_url("person-detail", value)

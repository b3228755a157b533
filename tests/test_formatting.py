"""Sizes, durations and dates for people: one module, in the visitor's locale."""

from datetime import date, datetime

import pytest
from flask import render_template_string

from app.formatting import format_date, format_datetime, human_duration, human_size, iso_duration


@pytest.mark.parametrize(
    ("size", "english"),
    [
        (None, ""),
        (0, "0\u00a0B"),
        (1023, "1,023\u00a0B"),
        (1024, "1.0\u00a0KiB"),
        (1536, "1.5\u00a0KiB"),
        (200_000, "195\u00a0KiB"),
        (1024**2, "1.0\u00a0MiB"),
        (200 * 2**30, "200\u00a0GiB"),  # the upload limit: never "214.7 GB"
        (3 * 2**40, "3.0\u00a0TiB"),
    ],
)
def test_human_size_says_binary_units(app, size, english):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert human_size(size) == english


def test_human_size_follows_the_locale(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert human_size(1536).startswith("1,5\u00a0")
        assert human_size(1023).startswith("1\u202f023\u00a0") or human_size(1023).startswith(
            "1\u00a0023\u00a0"
        )


def test_durations():
    assert human_duration(None) == ""
    assert human_duration(75.4) == "1:15"
    assert human_duration(3725) == "1:02:05"
    assert iso_duration(75.4) == "PT75S"
    assert iso_duration(None) == ""


def test_dates_in_the_visitor_language(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert format_date(date(2026, 3, 14)) == "14 mars 2026"
        assert format_date(None) == ""
        assert "2026" in format_datetime(datetime(2026, 3, 14, 9, 30))
    # A fresh app context, as for a real request (the fixture's one keeps the locale in `g`).
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_date(date(2026, 3, 14)) == "14 Mar 2026"  # British, never 3/14/26
        assert format_datetime(datetime(2026, 3, 14, 9, 30), "short") == "14/03/2026, 09:30"
        assert format_datetime(None) == ""


def test_templates_get_the_helpers_as_filters_and_globals(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string("{{ 1536|human_size }}") == "1.5\u00a0KiB"
        assert render_template_string("{{ human_duration(75) }}") == "1:15"

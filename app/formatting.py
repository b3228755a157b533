"""Sizes, durations and dates as people read them, in the visitor's locale (Flask-Babel).

The one home of these formats: pages, mails and exports call these; templates get them
as filters and globals (app/templating.py).
"""

from __future__ import annotations

import unicodedata
import zoneinfo

from babel import dates as babel_dates
from flask_babel import format_decimal, get_locale, get_timezone
from flask_babel import lazy_gettext as _l

#: The locale dates are written in, per interface language: English pages write them the
#: British way ("14 Mar 2026", "14/03/2026"), as the European institutions do, never in
#: the US order of Babel's plain "en" ("3/14/26").
DATE_LOCALES = {"en": "en_GB"}

# Binary units (powers of 1024), named as such: a "GB" on a disk label is 10**9 bytes,
# and the two must not be confused on a page that states an upload limit.
SIZE_UNITS = (_l("B"), _l("KiB"), _l("MiB"), _l("GiB"), _l("TiB"), _l("PiB"))


def human_size(size):
    """200 * 2**30 -> "200 GiB" ("200 Gio" in French); 1536 -> "1.5 KiB"; None -> ""."""
    if size is None:
        return ""
    value = float(size)
    unit = 0
    while abs(value) >= 1024 and unit < len(SIZE_UNITS) - 1:
        value /= 1024
        unit += 1
    pattern = "#,##0" if unit == 0 or abs(value) >= 100 else "#,##0.0"
    return f"{format_decimal(value, format=pattern)}\u00a0{SIZE_UNITS[unit]}"


def human_duration(seconds):
    """75.4 -> "1:15"; 3725 -> "1:02:05"; None -> ""."""
    if seconds is None:
        return ""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def iso_duration(seconds):
    """75.4 -> "PT75S" (ISO 8601, for <time datetime>); None -> ""."""
    if seconds is None:
        return ""
    return f"PT{int(round(seconds))}S"


def format_date(day, format="medium"):  # noqa: A002 - Babel's own argument name
    """A date in the visitor's locale ("14 mars 2026" / "Mar 14, 2026"); None -> ""."""
    if day is None:
        return ""
    return babel_dates.format_date(day, format, locale=_date_locale())


def format_datetime(moment, format="medium"):  # noqa: A002 - Babel's own argument name
    """A date and time in the visitor's locale and time zone; None -> ""."""
    if moment is None:
        return ""
    # A naive moment is UTC (app.clock.utcnow), shown in the user's time zone.
    return babel_dates.format_datetime(moment, format, tzinfo=get_timezone(), locale=_date_locale())


def format_time(moment, format="short"):  # noqa: A002 - Babel's own argument name
    """A time of day in the visitor's locale and time zone ("22:55" / "10:55 PM"); None -> ""."""
    if moment is None:
        return ""
    return babel_dates.format_time(moment, format, tzinfo=get_timezone(), locale=_date_locale())


def _date_locale():
    lang = str(get_locale() or "fr")
    return DATE_LOCALES.get(lang, lang)


def time_zones():
    """The time zones a user may choose: the IANA names of places ("Europe/Paris"),
    alphabetically, and UTC."""
    names = {
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix", "right"))
    }
    return ["UTC", *sorted(names)]


def is_time_zone(name) -> bool:
    return isinstance(name, str) and name in _TIME_ZONES


def time_zone_label():
    """The time zone dates and times are shown in, as written next to them ("UTC",
    "Europe/Paris")."""
    return str(get_timezone())


# Letters that Unicode does not decompose but French and English alphabetise as two.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})


def collation_key(text):
    """A sort key close to the locale's alphabetical order for French and English (the
    Unicode collation's first levels): letters first, accents and case set aside
    ("économie" between "défense" and "Europe", "œuvre" as "oeuvre"); among equals, the
    unaccented before the accented and lower case before upper, as ICU orders them."""
    text = text or ""
    plain = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    base = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return (base, text.swapcase())


_TIME_ZONES = frozenset(time_zones())

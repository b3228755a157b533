"""Reading ids, numbers and dates from a request: bad input is a 404 or a 400, never a 500.

* ``<id:name>`` in a route accepts a database id, 1..2**31-1; anything else (0, a
  leading zero, a number PostgreSQL's integer cannot hold) matches no route: 404.
* ``int_arg``, ``id_list_arg`` and ``date_arg`` read the query string and answer 400 on bad input.

``init_app(app)`` registers the converter; call it before the blueprints are registered.
"""

from __future__ import annotations

import re
from datetime import date

from flask import abort, request
from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ID = re.compile(r"[1-9][0-9]{0,9}")


class IdConverter(BaseConverter):
    """A positive 32-bit database id, written without leading zeros."""

    regex = r"[1-9][0-9]{0,9}"
    weight = 50  # as Werkzeug's own number converters: before a plain string part

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value):
        return str(int(value))


def int_arg(name, default, lo, hi):
    """The integer query argument `name` (`default` when absent or empty); 400 outside lo..hi."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        abort(400)
    if not lo <= value <= hi:
        abort(400)
    return value


def id_list_arg(name, limit):
    """Comma-separated ids in the query argument `name` (at most `limit`); 400 if one is bad.

    Only ASCII digits count: "²".isdigit() is true, and int() refuses it.
    """
    raw = request.args.get(name, "").strip()
    if not raw:
        return []
    ids = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not _ID.fullmatch(part) or int(part) > MAX_ID:
            abort(400)
        ids.append(int(part))
    if len(ids) > limit:
        abort(400)
    return ids


def date_arg(name):
    """The ISO date (YYYY-MM-DD) query argument `name`, None when absent or empty; 400 if bad."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not _ISO_DATE.fullmatch(raw):
        abort(400)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)


def init_app(app):
    app.url_map.converters["id"] = IdConverter

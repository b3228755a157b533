"""The input guard: hostile input is refused with a translated 400 before any view runs.

Every request passes through it:
- no NUL character in the path, or in a query, form or JSON value or key (PostgreSQL
  refuses them, and no field of Rushes has a use for one);
- JSON nested at most MAX_JSON_DEPTH deep (deeper input would exhaust the parser's
  recursion), and parsed once, by the app's JSON provider;
- no file part in a form, except for views marked @accepts_files (a file sent under a
  text field's name would reach the field as a file object).
Views still check the types and ranges of what they read (app/http/converters.py).
"""

from flask import current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

from app.errors import render_error

MAX_JSON_DEPTH = 32


class BadInput(BadRequest):
    """A request no view could make sense of; answered with a translated 400 saying why."""

    def __init__(self, detail):
        super().__init__()
        self.detail = detail


class TooDeep(ValueError):
    pass


def _depth_ok(text, limit=MAX_JSON_DEPTH):
    """True if the JSON text nests brackets at most `limit` deep (strings skipped)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return False
        elif char in "]}":
            depth -= 1
    return True


class JSONProvider(DefaultJSONProvider):
    """Flask's provider, refusing JSON nested deeper than MAX_JSON_DEPTH before parsing it."""

    def loads(self, s, **kwargs):
        text = s.decode("utf-8", "replace") if isinstance(s, bytes | bytearray) else s
        if not _depth_ok(text):
            raise TooDeep("JSON nested too deeply")  # a ValueError: Werkzeug answers 400
        return super().loads(s, **kwargs)


def accepts_files(view):
    """Mark a view that takes file parts in its forms."""
    view.accepts_files = True
    return view


def _has_nul(value, depth=0):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v, depth + 1) for v in value)
    return False


def _multidict_has_nul(values):
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key)) for key in values)


def check_request():
    if "\x00" in request.path or _multidict_has_nul(request.args):
        raise BadInput(_l("The address contains a character that is not allowed."))
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if _multidict_has_nul(request.form):
            raise BadInput(_l("A field contains a character that is not allowed."))
        view = current_app.view_functions.get(request.endpoint)
        if request.files and not getattr(view, "accepts_files", False):
            raise BadInput(_l("This form does not accept files."))
    elif request.is_json:
        data = request.get_json(silent=True)
        if data is None and request.get_data(cache=True):
            raise BadInput(_l("The data sent is not valid JSON, or is nested too deeply."))
        if _has_nul(data):
            raise BadInput(_l("A field contains a character that is not allowed."))


def init_app(app):
    """Call before the extensions that read the request (CSRFProtect): the guard must run first."""
    app.json = JSONProvider(app)
    app.before_request(check_request)

    @app.errorhandler(BadInput)
    def bad_input(exc):
        return render_error(400, str(exc.detail))


__all__ = ["BadInput", "accepts_files", "init_app"]

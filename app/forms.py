"""The one base of every form: Flask-WTF with CSRF, fed by a form body or a JSON object.

A JSON body is accepted only when it is an object of strings (booleans for check boxes);
anything else is a clear 400, so that wrong types never reach a validator. Text fields use
`strip` as a filter. NUL characters and file parts never get this far (app/http/guard.py).
"""

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import MultiDict

from app.http.guard import BadInput


def strip(value):
    return value.strip() if isinstance(value, str) else value


def _json_formdata():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadInput(_l("The data sent is not a form this page understands."))
    clean = MultiDict()
    for key, value in data.items():
        if isinstance(value, bool):
            if value:
                clean.add(key, "y")
        elif isinstance(value, str):
            clean.add(key, value)
        else:
            raise BadInput(_l("Each field must be text."))
    return clean


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if (
                formdata is _Auto
                and request.method in ("POST", "PUT", "PATCH", "DELETE")
                and not request.form
                and request.is_json
            ):
                return _json_formdata()
            return super().wrap_formdata(form, formdata)

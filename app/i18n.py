"""Which language a request is served in, and the switch that changes it.

Order: the logged-in user's saved choice, then the cookie set by the language
switch, then the browser's Accept-Language, then French.
"""

import logging
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user

from app.formatting import is_time_zone

log = logging.getLogger(__name__)

LANG_COOKIE = "lang"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def supported():
    return current_app.config["LANGUAGES"]


def select_locale():
    if not request:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user_lang = getattr(current_user, "language", None) if current_user else None
    if user_lang in supported():
        return user_lang
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in supported():
        return cookie
    return request.accept_languages.best_match(supported()) or supported()[0]


def select_timezone():
    """The logged-in user's time zone, else None: Flask-Babel's default
    (BABEL_DEFAULT_TIMEZONE, UTC unless set)."""
    if not request:
        return None
    zone = getattr(current_user, "timezone", None) if current_user else None
    return zone if is_time_zone(zone) else None


def current_language():
    return str(get_locale() or supported()[0])


def compile_catalogues(directories):
    """Compile each messages.po into its messages.mo when the .mo is missing or older.

    The compiled catalogues are not in the repository: every way of running Rushes
    (`make run`, the production recipe's plain `flask db upgrade` + gunicorn, a test)
    gets them at start-up, so French never depends on having run `make translations`.
    """
    for directory in directories.split(";"):
        for po in sorted(Path(directory).glob("*/LC_MESSAGES/messages.po")):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            try:
                with po.open("rb") as source:
                    catalogue = read_po(source, locale=po.parent.parent.name)
                tmp = mo.with_suffix(f".mo.{os.getpid()}.tmp")
                with tmp.open("wb") as target:
                    write_mo(target, catalogue)
                os.replace(tmp, mo)
            except OSError as exc:  # a read-only install must ship its .mo files
                log.warning("cannot compile %s: %s", po, exc)


def init_app(app):
    compile_catalogues(app.config["BABEL_TRANSLATION_DIRECTORIES"])

    @app.context_processor
    def language_context():
        return {
            "current_language": current_language(),
            "language_names": LANGUAGE_NAMES,
            "languages": app.config["LANGUAGES"],
        }

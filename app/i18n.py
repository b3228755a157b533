"""Which language a request is served in, and the switch that changes it.

Order: the logged-in user's saved choice, then the cookie set by the language
switch, then the browser's Accept-Language, then French.
"""

from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user

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


def current_language():
    return str(get_locale() or supported()[0])


def init_app(app):
    @app.context_processor
    def language_context():
        return {
            "current_language": current_language(),
            "language_names": LANGUAGE_NAMES,
            "languages": app.config["LANGUAGES"],
        }

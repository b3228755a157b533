"""Which language a request is served in, and the switch that changes it.

Order: the logged-in user's saved choice, then the cookie set by the language
switch, then the browser's Accept-Language, then French.
"""

from flask import current_app, g, request
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

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


def translations():
    """The catalogue of the current locale, looked up once per request.

    Flask-Babel looks the catalogue up again for each string (locale, domain, cache key
    through several context-local proxies): about half of what a translated string costs
    in a template. The catalogue is kept on ``g`` with the locale it was made for;
    ``force_locale()`` and ``refresh()`` replace the locale object, which is seen here.
    """
    if not g:
        return get_translations()
    locale = get_locale()
    cached = g.get("_rushes_translations")
    if cached is None or cached[0] is not locale:
        cached = g._rushes_translations = (locale, get_translations())
    return cached[1]


# The template callables below do what Jinja's "newstyle" gettext does (translate, mark
# safe under autoescape, then always %-format, so "%%" means the same everywhere), minus
# the indirections: `_` is the same function as `gettext` instead of an alias to it.


@pass_context
def _gettext(__context, __string, **variables):
    rv = translations().ugettext(__string)
    if __context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - our own catalogue, as Jinja's gettext does
    return rv % variables


@pass_context
def _ngettext(__context, __singular, __plural, __num, **variables):
    variables.setdefault("num", __num)
    rv = translations().ungettext(__singular, __plural, __num)
    if __context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - our own catalogue, as Jinja's gettext does
    return rv % variables


def init_app(app):
    # After Flask-Babel's init_app, which installed the i18n extension and its callables.
    app.jinja_env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)

    @app.context_processor
    def language_context():
        return {
            "current_language": current_language(),
            "language_names": LANGUAGE_NAMES,
            "languages": app.config["LANGUAGES"],
        }

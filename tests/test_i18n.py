"""Translated strings in templates: the request's language, forced locales, escaping."""

from flask import render_template_string
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from tests.helpers import post_form


def skip_link(client, **kwargs):
    html = client.get("/terms", **kwargs).get_data(as_text=True)
    return "Aller au contenu" if "Aller au contenu" in html else "Skip to content"


def test_each_request_gets_its_own_language(client):
    assert skip_link(client, headers={"Accept-Language": "fr"}) == "Aller au contenu"
    assert skip_link(client, headers={"Accept-Language": "en"}) == "Skip to content"
    assert skip_link(client, headers={"Accept-Language": "fr"}) == "Aller au contenu"
    post_form(client, "/language", {"lang": "en", "next": "/terms"}, page="/terms")
    assert skip_link(client, headers={"Accept-Language": "fr"}) == "Skip to content"
    post_form(client, "/language", {"lang": "fr", "next": "/terms"}, page="/terms")
    assert skip_link(client, headers={"Accept-Language": "en"}) == "Aller au contenu"


def test_force_locale_applies_within_a_request(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert render_template_string("{{ _('Videos') }}") == "Vidéos"
        with force_locale("en"):
            assert render_template_string("{{ _('Videos') }}") == "Videos"
            assert render_template_string("{{ gettext('Log in') }}") == "Log in"
        assert render_template_string("{{ _('Videos') }}") == "Vidéos"


def test_variables_plurals_and_escaping(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        page = "{{ _('Page %(page)d of %(pages)d', page=2, pages=3) }}"
        assert render_template_string(page) == "Page 2 sur 3"
        plural = "{{ ngettext('%(num)d video', '%(num)d videos', n) }}"
        assert render_template_string(plural, n=1) == "1 vidéo"
        assert render_template_string(plural, n=3) == "3 vidéos"
        # A value is escaped, the catalogue is not; "%%" is a percent sign, as in Jinja.
        unknown = "{{ _('<b>%(name)s</b> 100%%', name=name) }}"
        html = render_template_string(unknown, name="<i>")
        assert html == "<b>&lt;i&gt;</b> 100%"
        trans = "{% trans n=2 %}{{ n }} video{% pluralize %}{{ n }} videos{% endtrans %}"
        assert render_template_string(trans) == "2 videos"


def test_lazy_strings_follow_the_request(app):
    label = _l("Videos")
    for lang, expected in (("fr", "Vidéos"), ("en", "Videos"), ("fr", "Vidéos")):
        # A fresh app context, as for a real request (the fixture's one would keep `g`).
        with app.app_context(), app.test_request_context(headers={"Accept-Language": lang}):
            assert render_template_string("{{ label }}", label=label) == expected

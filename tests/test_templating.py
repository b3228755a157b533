"""url_for in templates is Flask's own: every URL is built for the request at hand."""

from flask import render_template_string, url_for


def test_templates_use_flasks_url_for(app):
    assert app.jinja_env.globals["url_for"] == app.url_for


def test_template_urls_are_those_flask_builds(app):
    source = (
        "{{ url_for('static', filename='css/rushes.css') }} {{ url_for('library.videos') }} "
        "{{ url_for('auth.login', next='/videos?page=2') }}"
    )
    for _ in range(2):
        with app.test_request_context("/"):
            expected = " ".join(
                (
                    url_for("static", filename="css/rushes.css"),
                    url_for("library.videos"),
                    url_for("auth.login", next="/videos?page=2"),
                )
            )
            assert render_template_string(source) == expected.replace("&", "&amp;")
    with app.test_request_context("/"):
        other = render_template_string("{{ url_for('auth.login', next='/terms') }}")
    assert other.endswith("next=/terms") or other.endswith("next=%2Fterms")


def test_the_mount_point_is_part_of_each_url(app):
    source = "{{ url_for('static', filename='css/rushes.css') }} {{ url_for('site.terms') }}"
    with app.test_request_context("/"):
        plain = render_template_string(source)
    with app.test_request_context("/", base_url="http://localhost/rushes"):
        mounted = render_template_string(source)
    assert plain == "/static/css/rushes.css /terms"
    assert mounted == "/rushes/static/css/rushes.css /rushes/terms"


def test_external_urls_are_built_each_time(app):
    source = "{{ url_for('site.terms', _external=True) }}"
    with app.test_request_context("/", base_url="http://one.test"):
        assert render_template_string(source) == "http://one.test/terms"
    with app.test_request_context("/", base_url="http://two.test"):
        assert render_template_string(source) == "http://two.test/terms"

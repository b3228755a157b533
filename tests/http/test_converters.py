"""Request converters: ids out of range are 404, bad numbers and dates are 400, never 500."""

from datetime import date

import pytest
from flask import Flask, jsonify, url_for

from app.http import converters


@pytest.fixture
def small_app():
    app = Flask(__name__)
    converters.init_app(app)

    @app.get("/things/<id:thing_id>")
    def thing(thing_id):
        return jsonify(id=thing_id)

    @app.get("/things/<id:thing_id>-<slug>")
    def thing_slug(thing_id, slug):
        return jsonify(id=thing_id, slug=slug)

    @app.get("/page")
    def page():
        return jsonify(page=converters.int_arg("page", 1, 1, 1000))

    @app.get("/day")
    def day():
        value = converters.date_arg("on")
        return jsonify(day=value.isoformat() if value else None)

    return app


@pytest.mark.parametrize("value", ["1", "42", str(2**31 - 1)])
def test_id_accepts_database_ids(small_app, value):
    response = small_app.test_client().get(f"/things/{value}")
    assert response.status_code == 200
    assert response.json["id"] == int(value)


@pytest.mark.parametrize(
    "value", ["0", "007", "-1", str(2**31), "9223372036854775808", "1" * 40, "x", "1.5"]
)
def test_id_out_of_range_or_malformed_is_404(small_app, value):
    assert small_app.test_client().get(f"/things/{value}").status_code == 404


def test_id_followed_by_a_slug(small_app):
    response = small_app.test_client().get("/things/12-defence-ministers")
    assert response.json == {"id": 12, "slug": "defence-ministers"}


def test_id_builds_urls(small_app):
    with small_app.test_request_context():
        assert url_for("thing", thing_id=7) == "/things/7"


@pytest.mark.parametrize(
    ("query", "status", "page"),
    [("", 200, 1), ("?page=", 200, 1), ("?page=3", 200, 3), ("?page=1000", 200, 1000)],
)
def test_int_arg_reads_the_number_or_the_default(small_app, query, status, page):
    response = small_app.test_client().get(f"/page{query}")
    assert response.status_code == status
    assert response.json["page"] == page


@pytest.mark.parametrize("value", ["0", "1001", "abc", "9" * 400, "1e3", "-5"])
def test_int_arg_outside_the_range_or_not_a_number_is_400(small_app, value):
    assert small_app.test_client().get(f"/page?page={value}").status_code == 400


def test_date_arg(small_app):
    client = small_app.test_client()
    assert client.get("/day").json == {"day": None}
    assert client.get("/day?on=2026-03-14").json == {"day": "2026-03-14"}
    assert client.get("/day?on=9999-12-31").json == {"day": date.max.isoformat()}


@pytest.mark.parametrize("value", ["2026-02-30", "14/03/2026", "20260314", "2026-W11-6", "x"])
def test_bad_date_arg_is_400(small_app, value):
    assert small_app.test_client().get(f"/day?on={value}").status_code == 400

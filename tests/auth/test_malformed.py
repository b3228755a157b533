"""Malformed input never gives a 500: a clear, translated 4xx."""

import json

import pytest

from tests.auth.flows import register
from tests.helpers import csrf_token

FORMS = ["/register", "/login", "/reset"]
ALL_POSTS = FORMS + ["/verify", "/reset/verify", "/reset/password", "/verify/resend"]


def _token(client, page="/register"):
    return csrf_token(client.get(page).get_data(as_text=True))


@pytest.mark.parametrize("url", FORMS)
def test_missing_fields_are_a_400_that_names_them(client, url):
    response = client.post(
        url, data={"csrf_token": _token(client)}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert "Enter your e-mail address." in response.get_data(as_text=True)


@pytest.mark.parametrize("url", FORMS)
def test_a_10_mb_field_is_a_translated_400(client, url):
    token = _token(client)
    response = client.post(
        url,
        data={"csrf_token": token, "email": "a" * (10 * 1024 * 1024), "password": "x"},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 400
    assert "bien plus long" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", FORMS)
def test_a_long_field_keeps_the_form(client, url):
    token = _token(client)
    response = client.post(
        url,
        data={"csrf_token": token, "email": "a" * 5000 + "@example.org", "password": "x" * 5000},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "too long" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "body", [[1, 2], {"email": ["a@b.org"], "password": "x"}, {"email": 5}, "text", None]
)
@pytest.mark.parametrize("url", FORMS)
def test_json_with_wrong_types_is_a_400(client, url, body):
    token = _token(client)
    response = client.post(
        url,
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": token, "Accept-Language": "en", "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_json_with_strings_works_like_a_form(client, make_user):
    make_user()
    token = _token(client, "/login")
    response = client.post(
        "/login",
        json={"email": "ada@example.org", "password": "Correct-Horse-42!", "remember": True},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("url", FORMS)
def test_invalid_utf8_is_a_400(client, url):
    token = _token(client)
    body = b"csrf_token=" + token.encode() + b"&email=%ff%fe%fd&password=%c3%28&full_name=\xff"
    response = client.post(
        url,
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "<!doctype html>" in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("url", ALL_POSTS)
def test_bad_or_missing_csrf_is_a_translated_400(client, url):
    client.get("/register")
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post(
            url, data={**data, "email": "a@b.org"}, headers={"Accept-Language": "fr"}
        )
        assert response.status_code == 400
        assert "rechargez la page" in response.get_data(as_text=True).lower()


def test_invalid_utf8_in_a_code_is_a_400(client, mailbox):
    register(client)
    token = _token(client, "/verify")
    response = client.post(
        "/verify",
        data=b"csrf_token=" + token.encode() + b"&code=%ff%ff%ff%ff%ff%ff",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_non_ascii_digits_are_not_a_code(client, mailbox):
    register(client)
    token = _token(client, "/verify")
    response = client.post(
        "/verify",
        data={"csrf_token": token, "code": "١٢٣٤٥٦"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "6 digits" in response.get_data(as_text=True)

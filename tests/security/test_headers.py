"""Headers every answer carries, and the private ones of a logged-in user's pages."""

import pytest


@pytest.mark.parametrize("path", ["/account/", "/account/downloads", "/", "/videos"])
def test_pages_of_a_logged_in_user_are_not_stored(client, make_user, login, path):
    make_user()
    login()
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_of_a_visitor_may_be_cached(client):
    assert "no-store" not in client.get("/videos").headers.get("Cache-Control", "")

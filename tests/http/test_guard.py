"""The input guard: a NUL character anywhere in what the visitor sends is a translated 400
before any view or database sees it (PostgreSQL would refuse it with an error)."""

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/categories/%00.rss",
        "/feeds/fr/categories/a%00b.rss",
        "/videos?q=%00",
        "/videos?tag=%00",
    ],
)
def test_a_nul_in_the_path_or_the_query_is_a_translated_400(client, path):
    response = client.get(path, headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    assert "contient un caractère interdit" in response.get_data(as_text=True)


def test_a_nul_in_a_form_field_is_a_400(client):
    response = client.post("/login", data={"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400

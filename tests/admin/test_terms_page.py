"""The staff page of the usage terms: publishing a new version asks every user to accept
once more at their next download; visitors and users cannot publish."""

from app.extensions import db
from app.models import TermsVersion
from tests.helpers import csrf_token


def test_staff_publish_a_new_version_and_users_accept_it_again(
    app, client, staff, make_user, clock
):
    from app.library import policy

    reader = make_user(email="reader@example.org")
    assert policy.has_accepted_terms(reader)
    page = client.get("/admin/terms", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "The first version is in force." in page.get_data(
        as_text=True
    )
    token = csrf_token(page.get_data(as_text=True))
    clock.advance(minutes=1)
    response = client.post(
        "/admin/terms",
        data={"csrf_token": token, "note": "  New   credit rules "},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 302  # POST/redirect/GET
    (version,) = db.session.query(TermsVersion).all()
    assert version.note == "New credit rules" and version.published_by_id == staff.id
    db.session.refresh(reader)
    assert not policy.has_accepted_terms(reader)  # asked again at the next download
    listed = client.get("/admin/terms", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "New credit rules" in listed


def test_only_staff_publish_terms(client, make_user, login):
    make_user(email="user@example.org")
    login("user@example.org")
    assert client.get("/admin/terms").status_code == 404
    assert client.post("/admin/terms", data={"note": "x"}).status_code == 404
    assert db.session.query(TermsVersion).count() == 0

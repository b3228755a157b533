"""The access policy, directly and through the routes: one rule for everyone, staff included."""

from types import SimpleNamespace

import pytest
from flask_login import login_user
from werkzeug.exceptions import NotFound

from app.clock import utcnow
from app.extensions import db
from app.library import policy
from app.models import Download
from app.security.decorators import staff_required
from tests.library.conftest import MASTER_BYTES


def person(authenticated=True, verified=True, terms=True, staff=False):
    return SimpleNamespace(
        is_authenticated=authenticated,
        is_verified=verified,
        terms_accepted_at=utcnow() if terms else None,
        is_staff=staff,
    )


ANONYMOUS = SimpleNamespace(is_authenticated=False, is_staff=False)


@pytest.mark.parametrize(
    ("user", "refusal"),
    [
        (ANONYMOUS, "login"),
        (person(verified=False), "verify"),
        (person(verified=False, terms=False), "verify"),
        (person(terms=False), "terms"),
        (person(), None),
        # Staff follow the same rule: the terms bind them too (they did not for clips).
        (person(staff=True, terms=False), "terms"),
        (person(staff=True, verified=False), "verify"),
        (person(staff=True), None),
    ],
)
def test_download_refusal_is_one_rule_for_everyone(app, user, refusal):
    assert policy.download_refusal(user) == refusal


def test_is_staff_and_can_see():
    published = SimpleNamespace(published=True)
    draft = SimpleNamespace(published=False)
    assert not policy.is_staff(ANONYMOUS)
    assert not policy.is_staff(person())
    assert policy.is_staff(person(staff=True))
    assert policy.can_see(published, ANONYMOUS)
    assert not policy.can_see(draft, ANONYMOUS)
    assert not policy.can_see(draft, person())
    assert policy.can_see(draft, person(staff=True))
    assert not policy.can_see(None, person(staff=True))


def test_visible_video_checks_the_id_before_the_database(app, make_video):
    video = make_video()
    with app.test_request_context():
        assert policy.visible_video(video.id) is video
        for bad in (0, -1, 2**31, 2**63, "1", None):
            assert policy.visible_video(bad) is None


def test_staff_without_the_terms_must_accept_them_before_a_full_download(
    client, make_video, make_user, login
):
    video = make_video(published=False)
    staff = make_user(email="staff@example.org", staff=True, language="en", terms_accepted_at=None)
    login("staff@example.org")
    html = client.get(f"/videos/{video.id}-{video.slug}").get_data(as_text=True)
    assert "I accept the usage terms" in html
    assert f"/videos/{video.id}/download/original" not in html
    response = client.get(f"/videos/{video.id}/download/original")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#download")
    assert MASTER_BYTES[:100] not in response.data
    assert db.session.execute(db.select(Download)).first() is None

    staff.terms_accepted_at = utcnow()
    db.session.commit()
    response = client.get(f"/videos/{video.id}/download/original", buffered=True)
    assert response.status_code == 200
    assert response.data == MASTER_BYTES


@pytest.mark.parametrize(
    "path",
    [
        "/videos/0",
        "/videos/9223372036854775808",
        "/videos/2147483648-some-slug",
        "/videos/99999999999999999999/files/poster.jpg",
        "/videos/9223372036854775808/download/original",
    ],
)
def test_ids_out_of_range_are_404_not_500(client, path):
    assert client.get(path).status_code == 404


def test_staff_required_answers_404_to_everyone_but_staff(app, make_user):
    @staff_required
    def view():
        return "secret"

    assert view.__name__ == "view"
    ada = make_user(email="ada@example.org")
    boss = make_user(email="staff@example.org", staff=True)
    with app.test_request_context():
        with pytest.raises(NotFound):
            view()
        login_user(ada)
        with pytest.raises(NotFound):
            view()
        login_user(boss)
        assert view() == "secret"


def test_the_staff_statistics_are_behind_it(client, make_user, login):
    assert client.get("/admin/stats").status_code == 404
    make_user(email="ada@example.org")
    login("ada@example.org")
    assert client.get("/admin/stats").status_code == 404
    assert client.get("/admin/stats/videos.csv").status_code == 404

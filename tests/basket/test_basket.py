"""The basket's rules and pages: add, reorder, rename, remove, empty, limits, access."""

import pytest

from app.basket import service
from app.extensions import db
from app.models import Basket, BasketItem
from tests.clips.conftest import sign_in


def items_of(user):
    db.session.expire_all()
    return list(
        db.session.execute(
            db.select(BasketItem)
            .join(Basket)
            .where(Basket.user_id == user.id)
            .order_by(BasketItem.position, BasketItem.id)
        ).scalars()
    )


def test_every_kind_of_item_is_added_and_shown(client, make_video, logged_in, add):
    video = make_video()
    assert add(video, kind="master").status_code == 302
    assert add(video, kind="clip", in_frame="10", out_frame="35").status_code == 302
    assert add(video, kind="still", frame="12", format="png").status_code == 302
    assert add(video, kind="script", lang="fr").status_code == 302
    kinds = [i.kind for i in items_of(logged_in)]
    assert kinds == ["master", "clip", "still", "script"]
    page = client.get("/basket", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Storm in the harbour" in page
    # Master timecodes of the first and last frame of the clip, its duration.
    assert "10:00:00:10" in page and "10:00:01:09" in page
    assert "25 frames" not in page  # durations are shown as time and timecode
    assert "00:00:01:00" in page
    assert 'data-basket-count="4"' in page


def test_the_clip_editor_range_in_timecodes_is_read_like_the_clip_api(make_video, logged_in, add):
    video = make_video()
    assert add(video, kind="clip", **{"in": "10:00:00:05", "out": "10:00:01:00"}).status_code == 302
    (item,) = items_of(logged_in)
    assert (item.in_frame, item.out_frame) == (5, 25)


def test_reorder_rename_remove_and_empty(client, make_video, logged_in, add, post):
    video = make_video()
    for frame in ("1", "2", "3"):
        add(video, kind="still", frame=frame, format="jpg")
    first, second, third = items_of(logged_in)
    assert post(f"/basket/items/{third.id}/up").status_code == 302
    assert [i.frame for i in items_of(logged_in)] == [1, 3, 2]
    post(f"/basket/items/{first.id}/down")
    assert [i.frame for i in items_of(logged_in)] == [3, 1, 2]
    post(f"/basket/items/{first.id}/up")
    post(f"/basket/items/{third.id}/up")  # already first: stays
    assert [i.frame for i in items_of(logged_in)] == [3, 1, 2]
    post("/basket/name", name="  Port   story ")
    db.session.expire_all()
    assert service.basket_of(logged_in).name == "Port story"
    assert "Port story" in client.get("/basket").get_data(as_text=True)
    post(f"/basket/items/{second.id}/remove")
    assert [i.frame for i in items_of(logged_in)] == [3, 1]
    post("/basket/empty")
    assert items_of(logged_in) == []


def test_limits_give_a_translated_message(app, client, make_video, logged_in, add):
    video = make_video()
    logged_in.language = "fr"  # the message comes in the user's language
    db.session.commit()
    app.config["BASKET_MAX_ITEMS"] = 2
    add(video, kind="still", frame="1", format="png")
    add(video, kind="still", frame="2", format="png")
    response = add(video, kind="still", frame="3", format="png", ui_lang="fr")
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers={"Accept-Language": "fr"})
    assert "Un panier contient au plus 2 éléments" in page.get_data(as_text=True)
    assert len(items_of(logged_in)) == 2
    app.config["BASKET_MAX_ITEMS"] = 50
    app.config["BASKET_MAX_BYTES"] = video.master_size - 1
    response = client.post(
        f"/videos/{video.id}/basket",
        data={"kind": "master", "csrf_token": _token(client)},
        headers={"Accept": "application/json", "Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "Un téléchargement de panier pèse au plus" in response.get_json()["message"]


def _token(client):
    from tests.clips.conftest import csrf_token_of

    return csrf_token_of(client)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "nonsense"},
        {"kind": "clip", "in_frame": "20", "out_frame": "10"},
        {"kind": "clip", "in_frame": "0", "out_frame": "99999999999999999999"},
        {"kind": "clip", "in": "zz", "out": "10:00:00:00"},
        {"kind": "still", "frame": "-1", "format": "png"},
        {"kind": "still", "frame": "9" * 40, "format": "png"},
        {"kind": "still", "frame": "1", "format": "gif"},
        {"kind": "rendition", "rendition": "../../etc"},
        {"kind": "script", "lang": "xx"},
        {"kind": "script", "lang": "fr", "in_frame": "5", "out_frame": "1"},
        {"kind": "clip\x00", "in_frame": "\x00"},
    ],
)
def test_hostile_input_is_a_translated_4xx(client, make_video, logged_in, fields):
    video = make_video()
    response = client.post(
        f"/videos/{video.id}/basket",
        data={**fields, "csrf_token": _token(client)},
        headers={"Accept": "application/json", "Accept-Language": "fr"},
    )
    assert 400 <= response.status_code < 500
    assert BasketItem.query.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "/videos/0/basket",
        "/videos/99999999999999999999/basket",
        "/basket/items/abc/up",
        "/basket/items/99999999999/remove",
        "/basket/items/1/sideways",
    ],
)
def test_hostile_urls_are_4xx(client, logged_in, url, post):
    assert 400 <= post(url, kind="master").status_code < 500


def test_another_users_items_are_404_and_untouched(client, make_video, make_user, add, post):
    video = make_video()
    owner = make_user(email="owner@example.org")
    sign_in(client, owner)
    add(video, kind="master")
    (item,) = items_of(owner)
    intruder = make_user(email="intruder@example.org")
    sign_in(client, intruder)
    for action in ("up", "down", "remove"):
        assert post(f"/basket/items/{item.id}/{action}").status_code == 404
    assert len(items_of(owner)) == 1
    assert "Storm in the harbour" not in client.get("/basket").get_data(as_text=True)


def test_without_csrf_token_nothing_is_added(client, make_video, logged_in, add):
    video = make_video()
    assert add(video, kind="master", token=False).status_code == 400
    assert BasketItem.query.count() == 0


def test_anonymous_visitors_are_sent_to_log_in_and_unverified_ones_refused(
    client, make_video, make_user, add
):
    video = make_video()
    assert client.get("/basket").status_code == 302
    response = add(video, kind="master")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in(client, make_user(email="new@example.org", verified=False))
    assert add(video, kind="master").status_code == 403
    assert BasketItem.query.count() == 0


def test_an_unpublished_video_cannot_be_added(client, make_video, logged_in, add):
    video = make_video(published=False)
    assert add(video, kind="master").status_code == 404


def test_the_video_page_offers_every_add_button(client, make_video, logged_in):
    video = make_video()
    logged_in.language = "fr"
    video.texts[1].shot_list = "10:00:00:00 Wide shot\n10:00:01:00 Close-up"
    db.session.commit()
    page = client.get(f"/videos/{video.id}-{video.slug}", headers={"Accept-Language": "fr"})
    html = page.get_data(as_text=True)
    assert "Ajouter au panier" in html
    for kind in ("master", "clip", "still", "script"):
        assert f'data-basket-add="{kind}"' in html
    # The shot list's lines: each shot runs to the next one, the last to the end.
    assert 'name="in_frame" value="0"' in html and 'name="out_frame" value="25"' in html
    assert 'name="in_frame" value="25"' in html and 'name="out_frame" value="75"' in html


def test_the_same_item_added_twice_is_kept_once(client, make_video, logged_in, add):
    video = make_video()
    assert add(video, kind="clip", in_frame="10", out_frame="35").status_code == 302
    again = add(video, kind="clip", in_frame="10", out_frame="35")
    page = client.get(again.headers["Location"])
    assert "This is in your basket already." in page.get_data(as_text=True)
    assert add(video, kind="clip", in_frame="10", out_frame="36").status_code == 302
    assert [(i.in_frame, i.out_frame) for i in items_of(logged_in)] == [(10, 35), (10, 36)]

"""A shared basket: a link a colleague opens read-only and takes into their own basket."""

import re

from app.basket import service
from app.extensions import db
from app.models import Basket, BasketItem
from tests.clips.conftest import sign_in, sign_out


def share_link(client, post):
    post("/basket/share")
    html = client.get("/basket").get_data(as_text=True)
    return re.search(r'id="basket-link" readonly value="([^"]+)"', html).group(1)


def test_a_colleague_opens_the_link_read_only_and_takes_the_items(
    client, make_video, make_user, add, post
):
    video = make_video()
    hidden = make_video(slug="draft", published=False)
    owner = make_user(email="owner@example.org")
    sign_in(client, owner)
    add(video, kind="clip", in_frame="0", out_frame="25")
    add(video, kind="still", frame="3", format="jpg")
    db.session.add(BasketItem(basket_id=service.basket_of(owner).id, kind="master", video=hidden))
    db.session.commit()
    link = share_link(client, post)
    assert link.startswith("/basket/shared/")  # a relative link: never the request's Host

    colleague = make_user(email="colleague@example.org", language="en")
    sign_in(client, colleague)
    page = client.get(link, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "read-only" in page and "Storm in the harbour" in page
    assert "/remove" not in page  # no edit buttons
    assert post(link + "/take").status_code == 302
    db.session.expire_all()
    taken = service.basket_of(colleague).items
    # What the colleague may not see (an unpublished video) is not copied.
    assert [(i.kind, i.in_frame, i.out_frame, i.frame) for i in taken] == [
        ("clip", 0, 25, None),
        ("still", None, None, 3),
    ]
    assert len(service.basket_of(owner).items) == 3  # the owner's basket is untouched


def test_a_new_link_voids_the_old_one_and_unknown_tokens_are_404(
    client, make_video, logged_in, add, post
):
    add(make_video(), kind="master")
    first = share_link(client, post)
    second = share_link(client, post)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    for token in ("x", "a" * 30, "../../etc/passwd", "a" * 500):
        assert client.get(f"/basket/shared/{token}").status_code == 404
    # A NUL never reaches the view: the input guard refuses it (app/http/guard.py).
    assert client.get("/basket/shared/" + "%00" * 10).status_code == 400
    assert post("/basket/shared/" + "b" * 30 + "/take").status_code == 404


def test_a_shared_link_needs_an_account(client, make_video, logged_in, add, post):
    add(make_video(), kind="master")
    link = share_link(client, post)
    sign_out(client)
    response = client.get(link)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert Basket.query.count() == 1

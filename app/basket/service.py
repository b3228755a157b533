"""The basket's rules: one per user, its items, their order, its limits, sharing.

Items are checked here against the video they come from (a frame of the master, a
rendition it has, a language the site speaks); who may see the video is the library's
policy (`app.library.policy`), asked by the caller before it adds anything.
"""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.basket import sizes
from app.clips.selection import SelectionError, parse_clip_request, parse_selection
from app.extensions import db
from app.formatting import human_size
from app.i18n import supported
from app.library import present
from app.models import Basket, BasketItem
from app.stills.service import FORMATS, frame_in_range

NAME_MAX = 120


class BasketError(ValueError):
    """What the user has to change: the message is translated and shown as is."""


def basket_of(user, create=True) -> Basket | None:
    """The user's basket (made on first use when `create`)."""
    basket = db.session.execute(select(Basket).filter_by(user_id=user.id)).scalar_one_or_none()
    if basket is not None or not create:
        return basket
    db.session.add(Basket(user_id=user.id, name=""))
    try:
        db.session.commit()
    except IntegrityError:  # made by a concurrent request a moment ago
        db.session.rollback()
    return db.session.execute(select(Basket).filter_by(user_id=user.id)).scalar_one()


def item_count(user) -> int:
    basket = basket_of(user, create=False)
    return len(basket.items) if basket is not None else 0


def _max_items():
    return int(current_app.config["BASKET_MAX_ITEMS"])


def _max_bytes():
    return int(current_app.config["BASKET_MAX_BYTES"])


def _check_room(basket, new_items):
    limit = _max_items()
    if len(basket.items) + len(new_items) > limit:
        raise BasketError(
            _("A basket holds %(num)d items at most. Download or remove some first.", num=limit)
        )
    total = sizes.total(basket.items) + sum(sizes.estimate(i) for i in new_items)
    if total > _max_bytes():
        raise BasketError(too_big_message())


def too_big_message():
    from_bytes = human_size(_max_bytes())
    return _("One basket download may weigh %(size)s at most. Remove some items.", size=from_bytes)


def size_problem(items) -> str | None:
    """The message to show when `items` weigh more than one download may, else None."""
    return too_big_message() if sizes.total(items) > _max_bytes() else None


def _clip_range(video, data, with_audio=False):
    try:
        if with_audio:
            return parse_clip_request(video, data)
        return parse_selection(video, data)
    except SelectionError as exc:
        raise BasketError(str(exc)) from None


def _whole(value):
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 10 else None


def _build_item(video, data) -> BasketItem:
    """The item `data` (a form) asks for, checked against `video`; BasketError if wrong."""
    kind = str(data.get("kind", "")).strip()
    item = BasketItem(kind=kind, video_id=video.id, video=video)
    if kind == "master":
        if not video.master_path:
            raise BasketError(_("This file cannot be downloaded yet."))
    elif kind == "rendition":
        name = str(data.get("rendition", "")).strip()
        if name not in present.downloadable_renditions() or not any(
            r.name == name for r in video.renditions
        ):
            raise BasketError(_("This file cannot be downloaded yet."))
        item.rendition = name
    elif kind == "clip":
        item.in_frame, item.out_frame, item.audio = _clip_range(video, data, with_audio=True)
    elif kind == "still":
        item.frame = _whole(data.get("frame"))
        item.still_format = str(data.get("format", "")).strip()
        if item.still_format not in FORMATS or not frame_in_range(video, item.frame):
            raise BasketError(_("This frame is not part of the video."))
    elif kind == "script":
        item.lang = str(data.get("lang", "")).strip()
        if item.lang not in supported():
            raise BasketError(_("This language is not available."))
        if _whole(data.get("in_frame")) is not None or _whole(data.get("out_frame")) is not None:
            item.in_frame, item.out_frame = _clip_range(video, data)
    else:
        raise BasketError(_("This item cannot be put in a basket."))
    return item


_SAME = (
    "kind",
    "video_id",
    "rendition",
    "in_frame",
    "out_frame",
    "audio",
    "frame",
    "still_format",
    "lang",
)


def _already_in(basket, item) -> bool:
    key = tuple(getattr(item, name) for name in _SAME)
    return any(tuple(getattr(i, name) for name in _SAME) == key for i in basket.items)


def add(user, video, data) -> BasketItem | None:
    """Put what `data` asks for (a form: kind, rendition, in/out, frame, format, lang) of
    `video` at the end of the user's basket; None when it is there already (a second
    click). BasketError when wrong or over a limit."""
    basket = basket_of(user)
    item = _build_item(video, data)
    if _already_in(basket, item):
        return None
    _check_room(basket, [item])
    item.position = max((i.position for i in basket.items), default=-1) + 1
    basket.items.append(item)
    db.session.commit()
    return item


def own_item(user, item_id) -> BasketItem | None:
    basket = basket_of(user, create=False)
    if basket is None:
        return None
    return next((i for i in basket.items if i.id == item_id), None)


def remove(user, item_id) -> bool:
    item = own_item(user, item_id)
    if item is None:
        return False
    item.basket.items.remove(item)
    db.session.commit()
    return True


def move(user, item_id, step) -> bool:
    """Move an item one place up (step -1) or down (+1); False if it is not theirs."""
    item = own_item(user, item_id)
    if item is None:
        return False
    items = list(item.basket.items)
    here = items.index(item)
    there = here + (1 if step > 0 else -1)
    if 0 <= there < len(items):
        items[here], items[there] = items[there], items[here]
    for position, each in enumerate(items):
        each.position = position
    db.session.commit()
    return True


def rename(user, name):
    name = " ".join(str(name or "").split())
    if len(name) > NAME_MAX:
        raise BasketError(_("A name has %(num)d characters at most.", num=NAME_MAX))
    basket_of(user).name = name
    db.session.commit()


def empty(user):
    basket = basket_of(user)
    basket.items.clear()
    db.session.commit()


def share(user) -> str:
    """A new share token for the user's basket (an older link stops working)."""
    basket = basket_of(user)
    basket.share_token = secrets.token_urlsafe(24)
    db.session.commit()
    return basket.share_token


def shared_basket(token) -> Basket | None:
    token = str(token or "")
    if not 20 <= len(token) <= 64:
        return None
    return db.session.execute(select(Basket).filter_by(share_token=token)).scalar_one_or_none()


def take(user, shared, can_see) -> int:
    """Copy the items of `shared` whose video the user may see into their basket;
    how many were copied. BasketError (nothing copied) over a limit."""
    basket = basket_of(user)
    copies = [
        BasketItem(
            kind=i.kind,
            video_id=i.video_id,
            video=i.video,
            rendition=i.rendition,
            in_frame=i.in_frame,
            out_frame=i.out_frame,
            audio=i.audio,
            frame=i.frame,
            still_format=i.still_format,
            lang=i.lang,
        )
        for i in shared.items
        if can_see(i.video)
    ]
    _check_room(basket, copies)
    start = max((i.position for i in basket.items), default=-1) + 1
    for offset, copy in enumerate(copies):
        copy.position = start + offset
        basket.items.append(copy)
    db.session.commit()
    return len(copies)

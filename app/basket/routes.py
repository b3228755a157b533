"""The basket's pages: add from a video page, the basket itself, its edits.

    POST /videos/<id>/basket          add an item (form: kind, rendition, in_frame/out_frame
                                      or in/out, frame, format, lang; next)
    GET  /basket                      the basket
    POST /basket/name                 rename
    POST /basket/items/<id>/up|down   reorder
    POST /basket/items/<id>/remove    remove
    POST /basket/empty                empty

Every page needs a log-in; adding needs a verified address, as the download panel does.
An item id that is not in the visitor's own basket is a 404.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.basket import present, service, sizes
from app.basket.blueprint import bp
from app.errors import render_error, wants_json
from app.library import policy
from app.security.redirects import safe_next


@bp.app_template_global("basket_count")
def basket_count():
    if not current_user.is_authenticated:
        return 0
    return service.item_count(current_user)


@bp.app_template_global("shot_ranges")
def shot_ranges(video, shots):
    return present.shot_ranges(video, shots)


def login_first():
    """The answer for a visitor who is not logged in, else None."""
    if current_user.is_authenticated:
        return None
    if wants_json():
        return render_error(401, _("Please log in to use the basket."))
    return redirect(url_for("auth.login", next=request.path))


def _back(video=None):
    default = (
        url_for("library.video", video_id=video.id, slug=video.slug)
        if video is not None
        else url_for("basket.show")
    )
    target = request.form.get("next")
    return safe_next(target) if target else default


def _added(message, video, category="success", status=200):
    if wants_json():
        body = {"message": message, "count": service.item_count(current_user)}
        return jsonify(body), status
    flash(message, category)
    return redirect(_back(video))


@bp.post("/videos/<id:video_id>/basket")
def add(video_id):
    refused = login_first()
    if refused is not None:
        return refused
    video = policy.visible_video_or_404(video_id)
    if policy.download_refusal() == policy.VERIFY:
        return render_error(403, _("Please verify your e-mail address before downloading."))
    try:
        added = service.add(current_user, video, request.form)
    except service.BasketError as exc:
        return _added(str(exc), video, "error", 400)
    if added is None:
        return _added(_("This is in your basket already."), video, "info")
    return _added(_("Added to your basket."), video)


@bp.get("/basket")
def show():
    refused = login_first()
    if refused is not None:
        return refused
    basket = service.basket_of(current_user)
    rows = present.rows(basket.items, current_user)
    return render_template(
        "basket/basket.html",
        basket=basket,
        rows=rows,
        total=sizes.total(basket.items),
        progress=present.progress(basket.items),
        refusal=policy.download_refusal(),
        too_big=service.size_problem(basket.items),
    )


@bp.post("/basket/name")
def rename():
    refused = login_first()
    if refused is not None:
        return refused
    try:
        service.rename(current_user, request.form.get("name", ""))
    except service.BasketError as exc:
        flash(str(exc), "error")
        return redirect(url_for("basket.show"))
    flash(_("The basket was renamed."), "success")
    return redirect(url_for("basket.show"))


@bp.post("/basket/items/<id:item_id>/<any(up, down):direction>")
def move(item_id, direction):
    refused = login_first()
    if refused is not None:
        return refused
    if not service.move(current_user, item_id, -1 if direction == "up" else 1):
        abort(404)
    return redirect(url_for("basket.show") + f"#item-{item_id}")


@bp.post("/basket/items/<id:item_id>/remove")
def remove(item_id):
    refused = login_first()
    if refused is not None:
        return refused
    if not service.remove(current_user, item_id):
        abort(404)
    flash(_("The item was removed from your basket."), "success")
    return redirect(url_for("basket.show"))


@bp.post("/basket/empty")
def empty():
    refused = login_first()
    if refused is not None:
        return refused
    service.empty(current_user)
    flash(_("Your basket is empty."), "success")
    return redirect(url_for("basket.show"))

"""Sharing a basket: a link a colleague with an account opens as a read-only copy.

    POST /basket/share                 a new link (an older one stops working)
    GET  /basket/shared/<token>        the shared basket, read-only
    POST /basket/shared/<token>/take   copy its items into one's own basket

The token is random (`secrets`), kept on the basket; an unknown token is a 404. Each
item is shown, and copied, only if the colleague may see its video (the library policy).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.basket import present, service, sizes
from app.basket.blueprint import bp
from app.basket.routes import login_first
from app.library import policy


@bp.post("/basket/share")
def share():
    refused = login_first()
    if refused is not None:
        return refused
    service.share(current_user)
    flash(_("Anyone with an account and this link can now see your basket."), "success")
    return redirect(url_for("basket.show") + "#basket-share")


def _shared_or_404(token):
    basket = service.shared_basket(token)
    if basket is None:
        abort(404)
    return basket


@bp.get("/basket/shared/<token>")
def shared(token):
    refused = login_first()
    if refused is not None:
        return refused
    basket = _shared_or_404(token)
    items = [i for i in basket.items if policy.can_see(i.video, current_user)]
    return render_template(
        "basket/shared.html",
        basket=basket,
        rows=present.rows(items, current_user),
        total=sizes.total(items),
        token=token,
        own=basket.user_id == current_user.id,
    )


@bp.post("/basket/shared/<token>/take")
def take(token):
    refused = login_first()
    if refused is not None:
        return refused
    basket = _shared_or_404(token)
    if basket.user_id == current_user.id:
        return redirect(url_for("basket.show"))
    try:
        count = service.take(current_user, basket, lambda v: policy.can_see(v, current_user))
    except service.BasketError as exc:
        flash(str(exc), "error")
        return redirect(url_for("basket.shared", token=token))
    flash(
        ngettext(
            "%(num)d item was added to your basket.",
            "%(num)d items were added to your basket.",
            count,
        ),
        "success",
    )
    return redirect(url_for("basket.show"))

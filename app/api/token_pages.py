"""The account page's API tokens: create (shown once), revoke.

    GET  /account/api-tokens                 the list (also a block of the account page)
    POST /account/api-tokens                 create; the page shows the token once
    POST /account/api-tokens/revoke          revoke one of the user's tokens (form: token_id)

The list itself is templates/api/_tokens.html, included in the account page; it asks
``api_tokens()`` (a template global) for the user's tokens.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.api import tokens
from app.api.blueprint import tokens_bp


@tokens_bp.app_template_global("api_tokens")
def api_tokens():
    if not current_user.is_authenticated:
        return []
    return tokens.tokens_of(current_user)


def _back():
    return redirect(url_for("api_tokens.index"))


@tokens_bp.get("")
@login_required
def index():
    """The tokens on a page of their own (the account page includes the same block)."""
    return render_template("api/tokens.html")


@tokens_bp.post("")
@login_required
def create():
    if tokens.active_count(current_user) >= tokens.MAX_TOKENS_PER_USER:
        flash(
            _(
                "You have %(num)d tokens: revoke one before making another.",
                num=tokens.MAX_TOKENS_PER_USER,
            ),
            "error",
        )
        return _back()
    name = (request.form.get("name") or "").strip() or _("API token")
    row, token = tokens.create_token(current_user, name)
    response = render_template("api/token_created.html", row=row, token=token)
    return response, 201, {"Cache-Control": "no-store"}


@tokens_bp.post("/revoke")
@login_required
def revoke():
    raw = (request.form.get("token_id") or "").strip()
    token_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 else 0
    if 0 < token_id <= tokens.MAX_ID and tokens.revoke(current_user, token_id):
        flash(_("The token has been revoked: it no longer opens the API."), "success")
    else:
        flash(_("This token does not exist or was already revoked."), "error")
    return _back()

"""Site-wide pages: health check, terms of use, language switch."""

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import text

from app.extensions import db
from app.i18n import LANG_COOKIE
from app.security.redirects import safe_next

bp = Blueprint("site", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not reachable"
        current_app.logger.warning("health check: database unreachable: %s", exc)
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/terms")
def terms():
    return render_template("site/terms.html")


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next"))
    response = redirect(target)
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
        )
        if current_user.is_authenticated:
            current_user.language = lang
            db.session.commit()
    return response

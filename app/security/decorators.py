"""View decorators shared by the areas."""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from app.extensions import csrf, db
from app.library.policy import is_staff
from app.models import User
from app.security import devices

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def staff_required(view):
    """Staff only; anyone else (anonymous included) gets 404, as if the page did not exist.

    Not 403: staff pages are not advertised to people who may not use them.
    """

    @wraps(view)
    def guarded(*args, **kwargs):
        if not is_staff():
            abort(404)
        return view(*args, **kwargs)

    return guarded


def guard_staff_blueprint(blueprint):
    """Every view of `blueprint` is staff only (404 for anyone else, as staff_required),
    and its CSRF check runs after the staff check, so that a stranger's POST gets the same
    404 as a GET rather than a 400 that would reveal the page."""
    csrf.exempt(blueprint)

    @blueprint.before_request
    def staff_only():
        if not is_staff():
            if _was_staff_here():
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            abort(404)
        if request.method not in SAFE_METHODS:
            csrf.protect()

    return blueprint


def _was_staff_here():
    """A logged-out browser that last logged in to a staff account (its device cookie):
    its owner is sent to log in. Anyone else is told nothing exists here."""
    if current_user.is_authenticated or request.method not in ("GET", "HEAD"):
        return False
    user_id = devices.known_user_id()
    user = db.session.get(User, user_id) if user_id else None
    return bool(user is not None and user.is_staff)

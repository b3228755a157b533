from flask import abort, render_template
from flask_login import current_user

from app.admin import bp


@bp.before_request
def staff_only():
    # Not 403: the admin area is not advertised to people who may not use it.
    if not (current_user.is_authenticated and current_user.is_staff):
        abort(404)


@bp.get("/")
def index():
    return render_template("admin/index.html")

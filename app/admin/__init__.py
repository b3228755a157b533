from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import routes, uploads  # noqa: E402, F401  (registers the views on bp)
from app.extensions import csrf  # noqa: E402

csrf.exempt(bp)  # checked in routes.staff_only(), after the staff check

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import routes, uploads  # noqa: E402, F401  (registers the views on bp)

from flask import Blueprint

bp = Blueprint("newsletter", __name__)

from app.newsletter import routes  # noqa: E402, F401  (registers the views on bp)

from flask import Blueprint

bp = Blueprint("library", __name__)

# Imported for their side effect: they register their views on bp.
from app.library import clips, routes  # noqa: E402, F401

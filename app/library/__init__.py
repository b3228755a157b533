from flask import Blueprint

bp = Blueprint("library", __name__)

from app.library import routes  # noqa: E402, F401  (registers the views on bp)
from app.library import clips  # noqa: E402, F401  (clip API, issue 5)

from flask import Blueprint

from app.security.decorators import guard_staff_blueprint

bp = Blueprint("newsletter", __name__)
# The staff pages (staff_routes.py): staff only, as every page under /admin/.
staff_bp = guard_staff_blueprint(
    Blueprint("newsletter_admin", __name__, url_prefix="/admin/newsletter")
)

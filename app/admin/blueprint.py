"""The admin blueprint: every view is staff only (app/security/decorators.py)."""

from flask import Blueprint

from app.security.decorators import guard_staff_blueprint

bp = guard_staff_blueprint(Blueprint("admin", __name__, url_prefix="/admin"))

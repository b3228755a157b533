"""Accounts: sign-up with an e-mailed code, log in and out, password reset."""

from app.auth import routes  # noqa: F401  (attaches the views to bp)
from app.auth.blueprint import bp

__all__ = ["bp"]

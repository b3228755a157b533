"""The account: profile, password, language, newsletter choice, download history."""

from app.account import history, routes  # noqa: F401  (they attach their views to bp)
from app.account.blueprint import bp

__all__ = ["bp"]

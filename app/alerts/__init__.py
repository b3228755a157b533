"""Saved searches and their e-mail alerts (docs/alerts.md).

routes (save from the results page, the account page's list, one-click unsubscribe) →
service (saved searches: create, change, delete, their links) → models. tasks (a video
was published; a search's mail; the daily digests) call matching (which saved searches a
newly published video matches, through the library's own search) and delivery (the mail
of a search's pending videos, each sent once).
"""

from app.alerts import routes  # noqa: F401  (it attaches its views to bp)
from app.alerts.blueprint import bp

__all__ = ["bp"]

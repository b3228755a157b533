"""The library: browse, search, the video page, full downloads, the access policy."""

from app.library import routes  # noqa: F401  (attaches the views to bp)
from app.library.blueprint import bp

__all__ = ["bp"]

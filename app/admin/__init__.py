"""Staff pages: the videos, their description and publication, uploads (tus), statistics.

The blueprint and its staff guard live in blueprint.py; importing the view modules
attaches their views to it.
"""

from app.admin import audio, captions, categories, routes, stats, terms, tus  # noqa: F401  (they attach their views to bp)
from app.admin.blueprint import bp

__all__ = ["bp"]

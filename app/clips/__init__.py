"""Partial downloads: a frame-accurate clip of a video, cut once and shared.

routes (the API) → selection (what was asked) and service (requests, status) → cache
(files, eviction, stale runs); tasks (the cut job) call the service, cache and app.media.
"""

from app.clips import routes  # noqa: F401  (attaches the views to bp)
from app.clips.blueprint import bp

__all__ = ["bp"]

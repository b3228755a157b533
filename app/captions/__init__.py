"""Captions and transcripts: WebVTT/SRT files per language, timed in the master's timeline.

cues (read, check, write and cut caption files; no database) → service (attach, remove,
read, clip sidecars, search hits) ← routes (the files: the player's track, downloads,
a clip's sidecar). Staff attach them from the admin edit page (app/admin/captions.py).
"""

from app.captions import routes  # noqa: F401  (attach the views)
from app.captions.blueprint import bp

__all__ = ["bp"]

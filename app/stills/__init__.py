"""Stills: a full-resolution PNG or JPEG of one exact frame of the master.

routes (the still URL) → service (frame range, the cache, the media core's
`app.media.still.grab_still`). A still follows the download rule of
`app.library.policy` and is logged as a download (rendition "still").
"""

from app.stills import routes  # noqa: F401  (attaches the views to bp)
from app.stills.blueprint import bp

__all__ = ["bp"]

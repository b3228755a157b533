"""The basket: a newsroom's working set of files from many videos, downloaded as one ZIP.

routes, download_routes and share_routes (views) → service (items, order, limits, sharing), files
(each item's file, through the library, clips, stills and scripts areas), archive (the
streamed ZIP and its manifests), present (what the pages show).
"""

from app.basket import download_routes, routes, share_routes  # noqa: F401  (attach the views)
from app.basket.blueprint import bp

__all__ = ["bp"]

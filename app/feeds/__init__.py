"""MRSS feeds (RSS 2.0 + Media RSS) of the library, of each category and of any search.

routes (parse the query as /videos does, conditional GET) → app.library.listing (what
matches), build (the XML), app.api.conditional (the ETag) and app.api.auth (an API token
adds the download links).
"""

from app.feeds import routes  # noqa: F401  (attaches the views to bp)
from app.feeds.blueprint import bp

__all__ = ["bp"]

"""The read-only JSON API under /api/v1/ and its tokens.

routes (clips, OpenAPI, the blueprint's token check) and videos (search, metadata,
downloads) → tokens (the token service) and app.library / app.clips services; token_pages
are the account page's forms. ``bp`` is the API (exempt from CSRF: it reads no cookie),
``tokens_bp`` the account page's token management (CSRF as every form).
"""

from app.api import routes, token_pages, videos  # noqa: F401  (attach the views)
from app.api.blueprint import bp, tokens_bp

__all__ = ["bp", "tokens_bp"]

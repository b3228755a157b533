from flask import Blueprint

# The JSON API (bearer tokens, no cookies: exempt from CSRF in create_app's registration).
bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The token management on the account page (session and CSRF, as every form).
tokens_bp = Blueprint("api_tokens", __name__, url_prefix="/account/api-tokens")

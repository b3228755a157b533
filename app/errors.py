"""Error pages in the visitor's language; JSON for API clients."""

from flask import render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please check what you entered and try again."),
    ),
    401: (_l("Please log in"), _l("You need to log in to see this page.")),
    403: (_l("Access denied"), _l("You are not allowed to see this page.")),
    404: (
        _l("Page not found"),
        _l("The page you are looking for does not exist or has been moved."),
    ),
    405: (_l("Method not allowed"), _l("This address does not accept this kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than this site accepts.")),
    429: (
        _l("Too many attempts"),
        _l("You have made too many attempts. Please wait a moment and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred on our side. It has been logged; please try again later."),
    ),
}


def wants_json():
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or (
        best == "application/json" and not request.accept_mimetypes["text/html"]
    )


def render_error(code, detail=None):
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if wants_json():
        return {"error": str(detail or message), "status": code}, code
    return render_template(
        "errors/error.html", code=code, title=title, message=message, detail=detail
    ), code


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(
            400,
            gettext(
                "The form had expired or was sent from elsewhere. Please reload the page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code is None or exc.code < 400:
            return exc
        response = render_error(exc.code)
        if exc.code == 405 and exc.valid_methods:
            body, code = response
            return body, code, {"Allow": ", ".join(exc.valid_methods)}
        return response

    @app.errorhandler(InternalServerError)
    def server_error(exc):
        db.session.rollback()
        return render_error(500)

    @app.errorhandler(UnicodeDecodeError)
    def bad_encoding(exc):
        return render_error(400)

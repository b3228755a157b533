"""Requests for a host name the site does not own (Flask's TRUSTED_HOSTS)."""

from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError


def init_app(app):
    @app.errorhandler(SecurityError)
    def untrusted_host(exc):
        # No page template: its links would be built from the very host refused here.
        return (
            _("This site does not answer to that host name."),
            400,
            {"Content-Type": "text/plain; charset=utf-8"},
        )

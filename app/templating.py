"""Template helpers shared by every page.

``url_for`` in templates remembers the URLs that cannot change while the process runs:
a static file, or an endpoint without arguments (the layout alone builds about sixteen
of them for each page, a tenth of what a cached listing page costs). Anything else —
arguments, ``_external`` and the like, blueprint-relative endpoints, no request — goes
to Flask's ``url_for`` every time.
"""

from flask import has_request_context, request, url_for

MAX_REMEMBERED = 1024


def remembering_url_for():
    remembered = {}

    def template_url_for(endpoint, **values):
        cacheable = (
            not endpoint.startswith(".")
            and (not values or (endpoint == "static" and values.keys() == {"filename"}))
            and has_request_context()
        )
        if not cacheable:
            return url_for(endpoint, **values)
        # The URL is relative: only where the app is mounted (SCRIPT_NAME) can change it.
        key = (request.script_root, endpoint, values.get("filename"))
        url = remembered.get(key)
        if url is None:
            url = url_for(endpoint, **values)
            if len(remembered) < MAX_REMEMBERED:
                remembered[key] = url
        return url

    return template_url_for


def init_app(app):
    """Call once the blueprints are registered."""
    if any(app.url_default_functions.values()):
        return  # URL defaults may depend on the request: nothing can be remembered
    app.jinja_env.globals["url_for"] = remembering_url_for()

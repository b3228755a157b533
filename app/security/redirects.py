"""'Return to the page you were on' accepts only same-site paths."""

from urllib.parse import urlsplit

from flask import url_for


def is_safe_path(target):
    if not target or not isinstance(target, str) or len(target) > 2000:
        return False
    # Browsers treat backslashes as slashes and drop control characters:
    # "/\evil.example" and "/\t/evil.example" would leave the site.
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
    )


def safe_next(target, default_endpoint="library.home"):
    return target if is_safe_path(target) else url_for(default_endpoint)

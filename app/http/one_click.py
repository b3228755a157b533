"""RFC 8058 one-click unsubscribe: how a mail client's POST is told from a person's."""

from flask import request


def one_click() -> bool:
    """Whether this POST is a mail client's one-click unsubscribe ("List-Unsubscribe=
    One-Click" in the body): it is answered with the result itself, where a person's
    click on the page's button is redirected (POST/redirect/GET)."""
    return request.form.get("List-Unsubscribe") == "One-Click"

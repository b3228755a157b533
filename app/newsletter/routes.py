"""Newsletter pages for everybody: subscribe (double opt-in), confirm, one-click
unsubscribe, and the account toggle. The staff pages are in staff_routes.py."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import render_error
from app.extensions import csrf, limiter
from app.http.one_click import one_click
from app.i18n import current_language
from app.mailer import MailError
from app.newsletter import service
from app.newsletter.blueprint import bp
from app.newsletter.forms import ActionForm, SubscribeForm
from app.security.redirects import safe_next


def _subscribe_limit():
    return current_app.config["NEWSLETTER_LIMIT_PER_ADDRESS"]


# ---------------------------------------------------------------- visitors


def _render_subscribe(form, status=200, **extra):
    return (
        render_template("newsletter/index.html", form=form, **extra),
        status,
    )


@bp.get("/newsletter")
def index():
    form = SubscribeForm(formdata=None, language=current_language())
    return _render_subscribe(form)


@bp.post("/newsletter/subscribe")
@limiter.limit(_subscribe_limit, methods=["POST"])
def subscribe():
    form = SubscribeForm()
    if not form.validate():
        return _render_subscribe(form, 400)
    try:
        service.request_subscription(form.email.data, form.language.data)
    except MailError:
        return _render_subscribe(
            form,
            503,
            problem=_(
                "The confirmation e-mail could not be sent just now. Please try again later."
            ),
        )
    return redirect(url_for("newsletter.check_email"))


@bp.errorhandler(429)
def too_many(exc):
    """Rate limited: say so, and keep what was typed."""
    if request.endpoint == "newsletter.subscribe":
        form = SubscribeForm(meta={"csrf": False})
        form.validate()
        form.email.errors = []
        return _render_subscribe(
            form,
            429,
            problem=_(
                "Too many requests from your connection. Please wait a few minutes and try again."
            ),
        )
    return render_error(429)


@bp.get("/newsletter/check-email")
def check_email():
    days = max(1, current_app.config["NEWSLETTER_CONFIRM_MAX_AGE"] // 86400)
    return render_template("newsletter/check_email.html", days=days)


@bp.route("/newsletter/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    try:
        email, language, _signed = service.read_confirm_token(token)
        if request.method == "POST":
            ActionForm().validate() or abort(400)
            service.confirm_subscription(token)
            # POST/redirect/GET: Back and reload show the result, never a resubmission.
            return redirect(url_for("newsletter.confirm", token=token), 303)
        subscriber = service.subscriber_by_email(email)
        if subscriber is not None and subscriber.status == "active":
            return render_template("newsletter/confirmed.html", subscriber=subscriber)
    except service.ExpiredLink as exc:
        form = SubscribeForm(
            formdata=None, email=exc.email or "", language=exc.language or current_language()
        )
        return _render_subscribe(
            form,
            400,
            problem=_("This confirmation link has expired. Ask for a new one below."),
        )
    except service.InvalidLink:
        form = SubscribeForm(formdata=None, language=current_language())
        return _render_subscribe(
            form,
            400,
            problem=_(
                "This confirmation link is not valid. Copy the whole link from the e-mail, or ask for a new one below."
            ),
        )
    return render_template(
        "newsletter/confirm.html", email=email, language=language, form=ActionForm()
    )


@bp.route("/newsletter/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a token
def unsubscribe(token):
    try:
        subscriber = service.subscriber_from_unsubscribe_token(token)
    except service.InvalidLink:
        return render_error(400, _("This unsubscribe link is not valid."))
    if request.method == "POST":
        if subscriber is not None:
            service.unsubscribe(subscriber)
        if not one_click():  # the page's button: POST/redirect/GET
            return redirect(url_for("newsletter.unsubscribe", token=token), 303)
        return render_template("newsletter/unsubscribed.html", subscriber=subscriber)
    if subscriber is not None and subscriber.status == "unsubscribed":
        return render_template("newsletter/unsubscribed.html", subscriber=subscriber)
    return render_template(
        "newsletter/unsubscribe.html", subscriber=subscriber, token=token, form=ActionForm()
    )


# ---------------------------------------------------------------- accounts


def _back():
    return redirect(
        safe_next(request.form.get("next"))
        if request.form.get("next")
        else url_for("account.index")
    )


@bp.post("/newsletter/me/subscribe")
@login_required
def me_subscribe():
    if not ActionForm().validate():
        abort(400)
    if not current_user.is_verified:
        flash(_("Verify your e-mail address first."), "error")
        return _back()
    service.subscribe_user(current_user)
    flash(_("You are subscribed to the newsletter."), "success")
    return _back()


@bp.post("/newsletter/me/unsubscribe")
@login_required
def me_unsubscribe():
    if not ActionForm().validate():
        abort(400)
    service.unsubscribe_user(current_user)
    flash(_("You are unsubscribed from the newsletter."), "success")
    return _back()


@bp.app_context_processor
def newsletter_context():
    def user_subscribed():
        if current_user and current_user.is_authenticated:
            return service.is_subscribed(current_user)
        return False

    return {"newsletter_user_subscribed": user_subscribed}

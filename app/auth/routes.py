"""Views of the account pages: parse the form, run the flow (app/auth/flows/), answer.

Sign-up and verification, log in and out, password reset.
"""

import time
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from app.auth import delivery, tasks
from app.auth.blueprint import bp
from app.auth.flows import reset as reset_flow
from app.auth.flows import signup
from app.auth.flows.state import clear_all
from app.auth.forms import (
    CodeForm,
    EmptyForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
    ResetRequestForm,
)
from app.auth.limits import MAX_FORM_BYTES, form_limit, login_limit, record_failed_login
from app.clock import utcnow
from app.errors import render_error
from app.extensions import db, limiter
from app.i18n import current_language
from app.models import User
from app.security import codes, devices, passwords
from app.security.redirects import is_safe_path, safe_next


@bp.url_value_preprocessor
def limit_body_size(endpoint, values):
    # Set before CSRFProtect (an app-level before_request) reads the form: URL value
    # preprocessors run before those.
    request.max_content_length = MAX_FORM_BYTES


@bp.errorhandler(TooManyRequests)
def too_many_requests(exc):
    limit = limiter.current_limit
    wait = max(int(limit.reset_at - time.time()) + 1 if limit else 60, 1)
    detail = _(
        "Too many attempts. For your security, please try again %(when)s.",
        when=delivery.wait_text(wait),
    )
    body, code = render_error(429, detail)
    return body, code, {"Retry-After": str(wait)}


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    return render_error(
        400, _("A field is far longer than this form accepts. Please check what you entered.")
    )


def _render(template, form, **context):
    status = 400 if form.is_submitted() else 200
    context.setdefault("password_rules", passwords.RULES)
    return render_template(template, form=form, **context), status


def _dispatch(outcome, resend=False):
    """Queue the outcome's mail (every outcome but a throttled one has a job) and say
    what happens next."""
    if outcome.status == delivery.THROTTLED:
        flash(
            _(
                "A code was sent to this address a short while ago. Check your inbox "
                "(and spam folder); you can ask for a new code %(when)s.",
                when=delivery.wait_text(outcome.wait),
            ),
            "warning",
        )
        return
    tasks.send_code_mail(outcome.job)
    if resend:
        flash(_("A new code is on its way. The previous code no longer works."), "success")


def _delivery_problem(purpose, email):
    if not delivery.delivery_failed(purpose, email):
        return None
    return _(
        "We could not send the code: our mail server did not answer. Nothing is lost: "
        "please use “Send a new code” in a moment."
    )


def _code_error(result):
    if result.status == codes.WRONG:
        return _(
            "This code is not correct. Tries left before the code stops working: %(n)d.",
            n=result.tries_left,
        )
    if result.status == codes.BURNT:
        return _("Too many wrong tries: this code no longer works. Please ask for a new code.")
    if result.status == codes.EXPIRED:
        return _("This code has expired. Please ask for a new code.")
    return _("This code is no longer valid. Please ask for a new code.")


def _came_from():
    """The same-site page the visitor came from (the `next` argument, else the referrer)."""
    target = request.args.get("next")
    if is_safe_path(target):
        return target
    referrer = request.referrer
    if referrer:
        parts = urlsplit(referrer)
        if parts.netloc == request.host:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if is_safe_path(path) and not path.startswith(("/reset", "/login", "/register")):
                return path
    return ""


# ------------------------------------------------------------------ sign-up


@bp.route("/register", methods=["GET", "POST"])
@form_limit
def register():
    if current_user.is_authenticated:
        return redirect(url_for("account.index"))
    form = RegisterForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return _render("auth/register.html", form)
    user, email = signup.register(
        form.email.data,
        form.full_name.data,
        form.organisation.data,
        form.password.data,
        current_language(),
    )
    _dispatch(signup.start(user, email, next_path=form.next.data or ""))
    return redirect(url_for("auth.verify"))


@bp.route("/verify", methods=["GET", "POST"])
@form_limit
def verify():
    email = signup.pending_email()
    if not email:
        flash(_("Create an account or log in first."), "info")
        return redirect(url_for("auth.register"))
    form = CodeForm()
    if form.validate_on_submit():
        result, user = signup.check_code(form.code.data)
        if result.ok and user is not None:
            if signup.complete(user, result) == signup.WELCOME:
                return redirect(url_for("auth.welcome"))
            flash(_("Your address is verified. For your security, please choose a new password."))
            return redirect(url_for("auth.reset_password"))
        form.code.errors.append(_code_error(result))
    return _render(
        "auth/verify.html",
        form,
        email=email,
        resend_url=url_for("auth.verify_resend"),
        heading=_l("Check your inbox and enter the verification code"),
        delivery_problem=_delivery_problem(codes.VERIFY, email),
    )


@bp.post("/verify/resend")
@form_limit
def verify_resend():
    EmptyForm()  # CSRF is checked by CSRFProtect before the view
    email = signup.pending_email()
    if not email:
        return redirect(url_for("auth.register"))
    _dispatch(signup.start(User.by_email(email), email), resend=True)
    return redirect(url_for("auth.verify"))


@bp.get("/welcome")
@login_required
def welcome():
    return render_template(
        "auth/welcome.html",
        form=EmptyForm(),
        continue_url=signup.welcome_target(url_for("library.home")),
    )


# ------------------------------------------------------------------ log in / out


@bp.route("/login", methods=["GET", "POST"])
@login_limit
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and not form.is_submitted():
        return redirect(safe_next(request.args.get("next")))
    if not form.validate_on_submit():
        return _render("auth/login.html", form)

    user = User.by_email(form.email.data)
    if user is None:
        passwords.verify_password(passwords.dummy_hash(), form.password.data)
        matches, new_hash = False, None
    else:
        matches, new_hash = passwords.verify_password(user.password_hash, form.password.data)
    if not matches:
        record_failed_login()
        form.form_errors.append(_("The e-mail address or the password is not correct."))
        return _render("auth/login.html", form)

    if new_hash:
        user.password_hash = new_hash
        db.session.commit()
    if not user.is_verified:
        signup.bind_to(user)
        flash(
            _("Your account is not verified yet. Enter the code sent to your e-mail address."),
            "info",
        )
        _dispatch(signup.start(user, user.email, next_path=form.next.data or ""))
        return redirect(url_for("auth.verify"))
    clear_all()
    login_user(user, remember=form.remember.data)
    devices.remember(user)
    user.last_login_at = utcnow()
    db.session.commit()
    return redirect(safe_next(form.next.data))


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # A copied session or remember-me cookie must not log in again: the token both
        # carry is replaced (which ends the account's sessions on other devices too).
        current_user.rotate_session_token()
        db.session.commit()
    logout_user()
    clear_all()
    flash(_("You are logged out."), "info")
    return redirect(url_for("library.home"))


# ------------------------------------------------------------------ password reset


@bp.route("/reset", methods=["GET", "POST"])
@form_limit
def reset():
    form = ResetRequestForm(next=_came_from())
    if not form.validate_on_submit():
        return _render("auth/reset.html", form)
    _dispatch(reset_flow.request_code(form.email.data, form.next.data))
    return redirect(url_for("auth.reset_verify"))


@bp.route("/reset/verify", methods=["GET", "POST"])
@form_limit
def reset_verify():
    email = reset_flow.pending_email()
    if not email:
        return redirect(url_for("auth.reset"))
    form = CodeForm()
    if form.validate_on_submit():
        result = reset_flow.check_code(form.code.data)
        if result.ok:
            return redirect(url_for("auth.reset_password"))
        form.code.errors.append(_code_error(result))
    return _render(
        "auth/verify.html",
        form,
        email=email,
        resend_url=url_for("auth.reset_resend"),
        heading=_l("Enter the code to reset your password"),
        delivery_problem=_delivery_problem(codes.RESET, email),
        reset=True,
    )


@bp.post("/reset/resend")
@form_limit
def reset_resend():
    EmptyForm()
    if not reset_flow.pending_email():
        return redirect(url_for("auth.reset"))
    _dispatch(reset_flow.resend(), resend=True)
    return redirect(url_for("auth.reset_verify"))


@bp.route("/reset/password", methods=["GET", "POST"])
@form_limit
def reset_password():
    user, code_id = reset_flow.granted()
    if user is None:
        flash(_("This step has expired. Please ask for a new code."), "warning")
        return redirect(url_for("auth.reset"))
    form = NewPasswordForm(policy_email=user.email)
    if not form.validate_on_submit():
        return _render("auth/reset_password.html", form, email=user.email)
    if not reset_flow.set_password(user, code_id, form.password.data):
        return redirect(url_for("auth.reset"))
    tasks.send_password_changed(user)
    return redirect(url_for("auth.reset_done"))


@bp.get("/reset/done")
def reset_done():
    next_path = reset_flow.done_target(url_for("library.home"))
    return render_template("auth/reset_done.html", login_url=url_for("auth.login", next=next_path))

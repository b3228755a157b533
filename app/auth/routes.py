"""Sign-up, verification, log in / log out and password reset.

The address a verify or reset step is about lives in the (signed) session, never the
code: codes live only as keyed hashes in the database (app/security/codes.py).
"""

import hashlib
import hmac
import time
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from app.auth import bp, delivery
from app.auth.forms import (
    BadInput,
    CodeForm,
    EmptyForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
    ResetRequestForm,
)
from app.clock import utcnow
from app.errors import render_error
from app.extensions import db, limiter
from app.i18n import current_language
from app.models import User
from app.security import codes, passwords
from app.security.redirects import is_safe_path, safe_next

# Session keys of the flows
VERIFY_EMAIL = "verify_email"
VERIFY_BIND = "verify_bind"
AFTER_SIGNUP = "after_signup"
RESET_EMAIL = "reset_email"
RESET_NEXT = "reset_next"
RESET_GRANT = "reset_grant"
FLOW_KEYS = (VERIFY_EMAIL, VERIFY_BIND, AFTER_SIGNUP, RESET_EMAIL, RESET_NEXT, RESET_GRANT)


# ------------------------------------------------------------------ rate limits


def _account_key():
    """Per-account limit key: the normalised e-mail of the submitted form."""
    email = ""
    if request.form:
        email = request.form.get("email", "")
    elif request.is_json:
        data = request.get_json(silent=True)
        email = data.get("email", "") if isinstance(data, dict) else ""
    email = User.normalise_email(email if isinstance(email, str) else "")[:254]
    return "account:" + (email or "-")


def _failed(response):
    return bool(g.get("auth_failed"))


def _config_value(name):
    return lambda: current_app.config[name]


login_limits = [
    limiter.limit(
        _config_value("LOGIN_LIMIT_PER_ACCOUNT"),
        key_func=_account_key,
        methods=["POST"],
        deduct_when=_failed,
        scope="login-account",
    ),
    limiter.limit(
        _config_value("LOGIN_LIMIT_PER_ADDRESS"),
        key_func=get_remote_address,
        methods=["POST"],
        deduct_when=_failed,
        scope="login-address",
    ),
]

form_limit = limiter.limit(
    _config_value("FORM_LIMIT_PER_ADDRESS"), key_func=get_remote_address, methods=["POST"]
)


def _limited(view):
    for decorate in reversed(login_limits):
        view = decorate(view)
    return view


# No account form needs more than a few kilobytes. Set before CSRFProtect (an app-level
# before_request) reads the form: URL value preprocessors run before those.
MAX_FORM_BYTES = 64 * 1024


@bp.url_value_preprocessor
def limit_body_size(endpoint, values):
    request.max_content_length = MAX_FORM_BYTES


@bp.errorhandler(TooManyRequests)
def too_many_requests(exc):
    limit = limiter.current_limit
    wait = int(limit.reset_at - time.time()) + 1 if limit else 60
    detail = _(
        "Too many attempts. For your security, please try again %(when)s.",
        when=delivery.wait_text(max(wait, 1)),
    )
    body, code = render_error(429, detail)
    return body, code, {"Retry-After": str(max(wait, 1))}


@bp.errorhandler(BadInput)
def bad_input(exc):
    return render_error(400, str(exc.detail))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    return render_error(
        400, _("A field is far longer than this form accepts. Please check what you entered.")
    )


# ------------------------------------------------------------------ helpers


def _bind(password_hash):
    """Ties a verify step to the password set by the browser that started it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"verify-bind\x00" + password_hash.encode(), hashlib.sha256).hexdigest()


def _render(template, form, **context):
    status = 400 if form.is_submitted() else 200
    context.setdefault("password_rules", passwords.RULES)
    return render_template(template, form=form, **context), status


def _flash_outcome(outcome, email):
    if outcome.status == delivery.THROTTLED:
        flash(
            _(
                "A code was sent to this address a short while ago. Check your inbox "
                "(and spam folder); you can ask for a new code %(when)s.",
                when=delivery.wait_text(outcome.wait),
            ),
            "warning",
        )
    elif outcome.status == delivery.FAILED:
        flash(
            _(
                "We could not send the code: our mail server did not answer. Nothing is lost: "
                "please use “Send a new code” in a moment."
            ),
            "error",
        )


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


def _start_verification(user, email, next_path=None, resend=False):
    """Send a fresh verify code (or the notice, for a verified account) and go to /verify."""
    if user is not None and not user.is_verified:
        outcome = delivery.deliver_code(codes.VERIFY, email, user=user)
    else:
        outcome = delivery.deliver_code(codes.VERIFY, email, notice_user=user)
    session[VERIFY_EMAIL] = email
    if next_path is not None:
        session[AFTER_SIGNUP] = next_path if is_safe_path(next_path) else ""
    _flash_outcome(outcome, email)
    if resend and outcome.status == delivery.SENT:
        flash(_("A new code is on its way. The previous code no longer works."), "success")
    return redirect(url_for("auth.verify"))


def _clear_flows():
    for key in FLOW_KEYS:
        session.pop(key, None)


# ------------------------------------------------------------------ sign-up


@bp.route("/register", methods=["GET", "POST"])
@form_limit
def register():
    if current_user.is_authenticated:
        return redirect(url_for("account.index"))
    form = RegisterForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return _render("auth/register.html", form)

    email = User.normalise_email(form.email.data)
    password_hash = passwords.hash_password(form.password.data)
    user = User.by_email(email)
    now = utcnow()
    if user is None:
        user = User(
            email=email,
            full_name=form.full_name.data,
            organisation=form.organisation.data,
            password_hash=password_hash,
            language=current_language(),
            terms_accepted_at=now,
        )
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:  # the same address, signed up a moment ago
            db.session.rollback()
            user = User.by_email(email)
    elif not user.is_verified:
        # Nobody has proved this address yet: the latest sign-up's details count.
        user.full_name = form.full_name.data
        user.organisation = form.organisation.data
        user.password_hash = password_hash
        user.language = current_language()
        user.terms_accepted_at = now
        db.session.commit()
    # A verified account is left untouched; its owner gets a notice instead of a code,
    # and this browser sees exactly what a new sign-up sees.
    session[VERIFY_BIND] = _bind(password_hash)
    return _start_verification(user, email, next_path=form.next.data or "")


@bp.route("/verify", methods=["GET", "POST"])
@form_limit
def verify():
    email = session.get(VERIFY_EMAIL)
    if not email:
        flash(_("Create an account or log in first."), "info")
        return redirect(url_for("auth.register"))
    form = CodeForm()
    if form.validate_on_submit():
        result = codes.check(codes.VERIFY, email, form.code.data)
        user = User.by_email(email) if result.ok else None
        if result.ok and user is not None:
            return _verified(user, result)
        form.code.errors.append(_code_error(result))
    return _render(
        "auth/verify.html",
        form,
        email=email,
        resend_url=url_for("auth.verify_resend"),
        heading=_l("Check your inbox and enter the verification code"),
    )


def _verified(user, result):
    user.verified_at = user.verified_at or utcnow()
    bound = hmac.compare_digest(session.get(VERIFY_BIND, ""), _bind(user.password_hash))
    if not bound:
        # The password was set by another sign-up than this browser's: the address is
        # now proved, but that password must not stay. Choose a new one.
        db.session.commit()
        session.pop(VERIFY_EMAIL, None)
        session.pop(VERIFY_BIND, None)
        session[RESET_EMAIL] = user.email
        session[RESET_GRANT] = [result.code_id, codes.VERIFY]
        flash(_("Your address is verified. For your security, please choose a new password."))
        return redirect(url_for("auth.reset_password"))
    user.last_login_at = utcnow()
    db.session.commit()
    after = session.get(AFTER_SIGNUP, "")
    _clear_flows()
    login_user(user)
    session[AFTER_SIGNUP] = after
    return redirect(url_for("auth.welcome"))


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


@bp.post("/verify/resend")
@form_limit
def verify_resend():
    EmptyForm()  # CSRF is checked by CSRFProtect before the view
    email = session.get(VERIFY_EMAIL)
    if not email:
        return redirect(url_for("auth.register"))
    return _start_verification(User.by_email(email), email, resend=True)


@bp.get("/welcome")
@login_required
def welcome():
    after = session.get(AFTER_SIGNUP) or ""
    return render_template(
        "auth/welcome.html",
        form=EmptyForm(),
        continue_url=after if is_safe_path(after) else url_for("library.home"),
    )


# ------------------------------------------------------------------ log in / out


@bp.route("/login", methods=["GET", "POST"])
@_limited
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
        g.auth_failed = True
        form.form_errors.append(_("The e-mail address or the password is not correct."))
        return _render("auth/login.html", form)

    if new_hash:
        user.password_hash = new_hash
        db.session.commit()
    if not user.is_verified:
        session[VERIFY_BIND] = _bind(user.password_hash)
        flash(
            _("Your account is not verified yet. Enter the code sent to your e-mail address."),
            "info",
        )
        return _start_verification(user, user.email, next_path=form.next.data or "")
    _clear_flows()
    login_user(user, remember=form.remember.data)
    user.last_login_at = utcnow()
    db.session.commit()
    return redirect(safe_next(form.next.data))


@bp.post("/logout")
def logout():
    logout_user()
    _clear_flows()
    flash(_("You are logged out."), "info")
    return redirect(url_for("library.home"))


# ------------------------------------------------------------------ password reset


@bp.route("/reset", methods=["GET", "POST"])
@form_limit
def reset():
    form = ResetRequestForm(next=_came_from())
    if not form.validate_on_submit():
        return _render("auth/reset.html", form)
    email = User.normalise_email(form.email.data)
    user = User.by_email(email)  # the same query and bookkeeping whether or not it exists
    outcome = delivery.deliver_code(codes.RESET, email, user=user)
    session.pop(RESET_GRANT, None)
    session[RESET_EMAIL] = email
    session[RESET_NEXT] = form.next.data if is_safe_path(form.next.data) else ""
    _flash_outcome(outcome, email)
    return redirect(url_for("auth.reset_verify"))


@bp.route("/reset/verify", methods=["GET", "POST"])
@form_limit
def reset_verify():
    email = session.get(RESET_EMAIL)
    if not email:
        return redirect(url_for("auth.reset"))
    form = CodeForm()
    if form.validate_on_submit():
        result = codes.check(codes.RESET, email, form.code.data)
        if result.ok:
            session[RESET_GRANT] = [result.code_id, codes.RESET]
            return redirect(url_for("auth.reset_password"))
        form.code.errors.append(_code_error(result))
    return _render(
        "auth/verify.html",
        form,
        email=email,
        resend_url=url_for("auth.reset_resend"),
        heading=_l("Enter the code to reset your password"),
        reset=True,
    )


@bp.post("/reset/resend")
@form_limit
def reset_resend():
    EmptyForm()
    email = session.get(RESET_EMAIL)
    if not email:
        return redirect(url_for("auth.reset"))
    outcome = delivery.deliver_code(codes.RESET, email, user=User.by_email(email))
    _flash_outcome(outcome, email)
    if outcome.status == delivery.SENT:
        flash(_("A new code is on its way. The previous code no longer works."), "success")
    return redirect(url_for("auth.reset_verify"))


def _reset_grant():
    email = session.get(RESET_EMAIL)
    grant = session.get(RESET_GRANT)
    if not email or not isinstance(grant, list) or len(grant) != 2:
        return None, None
    code_id, purpose = grant
    if purpose not in (codes.RESET, codes.VERIFY) or not codes.grant_is_live(
        code_id, purpose, email
    ):
        return None, None
    return User.by_email(email), code_id


@bp.route("/reset/password", methods=["GET", "POST"])
@form_limit
def reset_password():
    user, code_id = _reset_grant()
    if user is None:
        session.pop(RESET_GRANT, None)
        flash(_("This step has expired. Please ask for a new code."), "warning")
        return redirect(url_for("auth.reset"))
    form = NewPasswordForm(policy_email=user.email)
    if not form.validate_on_submit():
        return _render("auth/reset_password.html", form, email=user.email)
    if not codes.consume_grant(code_id):  # used by a concurrent request
        db.session.rollback()
        return redirect(url_for("auth.reset"))
    user.password_hash = passwords.hash_password(form.password.data)
    user.verified_at = user.verified_at or utcnow()  # the code proved the address
    user.rotate_session_token()  # every other session and remember-me cookie ends
    db.session.commit()
    delivery.send_password_changed(user)
    next_path = session.get(RESET_NEXT, "")
    logout_user()
    _clear_flows()
    session["reset_done_next"] = next_path
    return redirect(url_for("auth.reset_done"))


@bp.get("/reset/done")
def reset_done():
    next_path = session.get("reset_done_next", "")
    if not is_safe_path(next_path):
        next_path = url_for("library.home")
    return render_template("auth/reset_done.html", login_url=url_for("auth.login", next=next_path))

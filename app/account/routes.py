"""The account page: details, password change, deletion, newsletter subscription."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from app.account.blueprint import bp
from app.account.forms import DeleteAccountForm, NewsletterForm, PasswordChangeForm, ProfileForm
from app.auth import routes as auth_routes
from app.auth import tasks as auth_tasks
from app.extensions import db
from app.models import Download, OneTimeCode, Video
from app.models.clips import ClipRequest
from app.newsletter.service import subscribe_user
from app.security import passwords
from app.security.redirects import safe_next

bp.url_value_preprocessor(auth_routes.limit_body_size)
bp.register_error_handler(TooManyRequests, auth_routes.too_many_requests)
bp.register_error_handler(RequestEntityTooLarge, auth_routes.too_large)

REMEMBER_COOKIE = "remember_token"


def _page(status=200, profile=None, password=None, delete=None):
    user = current_user
    return render_template(
        "account/index.html",
        profile_form=profile or ProfileForm(formdata=None, obj=user),
        password_form=password or PasswordChangeForm(formdata=None),
        delete_form=delete or DeleteAccountForm(formdata=None),
        password_rules=passwords.RULES,
    ), status


@bp.get("/")
@login_required
def index():
    return _page()


@bp.post("/profile")
@login_required
@auth_routes.form_limit
def profile():
    form = ProfileForm()
    if not form.validate_on_submit():
        return _page(400, profile=form)
    current_user.full_name = form.full_name.data
    current_user.organisation = form.organisation.data
    current_user.language = form.language.data
    current_user.timezone = form.timezone.data or None
    db.session.commit()
    flash(_("Your details have been saved."), "success")
    return redirect(url_for("account.index"))


def _check_password(field):
    matches, new_hash = passwords.verify_password(current_user.password_hash, field.data or "")
    if not matches:
        field.errors.append(_("This password is not correct."))
    return matches


@bp.post("/password")
@login_required
@auth_routes.form_limit
def change_password():
    user = current_user._get_current_object()
    form = PasswordChangeForm(policy_email=user.email)
    valid = form.validate_on_submit()
    if not form.current_password.errors and form.current_password.data:
        valid = _check_password(form.current_password) and valid
    if not valid:
        return _page(400, password=form)
    remembered = REMEMBER_COOKIE in request.cookies
    user.password_hash = passwords.hash_password(form.password.data)
    user.rotate_session_token()  # every other session and remember-me cookie ends here
    db.session.commit()
    login_user(user, remember=remembered)  # ...but this one goes on
    auth_tasks.send_password_changed(user)
    flash(_("Your password has been changed. Your other sessions have been logged out."), "success")
    return redirect(url_for("account.index"))


@bp.post("/delete")
@login_required
@auth_routes.form_limit
def delete():
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    valid = form.validate_on_submit()
    if not form.delete_password.errors:
        valid = _check_password(form.delete_password) and valid
    if not valid:
        return _page(400, delete=form)
    # The download log stays for statistics, without anything that points to a person.
    db.session.execute(
        db.update(Download)
        .where(Download.user_id == user.id)
        .values(user_id=None, client_address=None, range_header=None)
    )
    db.session.execute(db.delete(ClipRequest).where(ClipRequest.user_id == user.id))
    # The newsletter subscription (by account or by address) is removed by the newsletter
    # area's after_delete listener on User (app/models/newsletter.py).
    db.session.execute(db.delete(OneTimeCode).where(OneTimeCode.email == user.email))
    _detach_uploads(user)
    db.session.delete(user)
    db.session.commit()
    logout_user()
    flash(_("Your account and your personal data have been deleted."), "success")
    return redirect(url_for("library.home"))


def _detach_uploads(user):
    db.session.execute(
        db.update(Video).where(Video.uploaded_by_id == user.id).values(uploaded_by_id=None)
    )


@bp.post("/newsletter")
@login_required
def newsletter():
    form = NewsletterForm()
    subscribe_user(current_user._get_current_object())
    flash(_("You are subscribed to our newsletter. Thank you!"), "success")
    return redirect(safe_next(form.next.data, "account.index"))

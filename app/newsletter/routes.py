"""Newsletter pages: subscribe (double opt-in), confirm, one-click unsubscribe, the account
toggle, and the staff pages under /admin/newsletter (compose, preview, test, send)."""

import csv
import functools
import io

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import csrf, db, limiter
from app.i18n import current_language
from app.mail import MailError
from app.models import Subscriber, Video, VideoText
from app.models.newsletter import Delivery, NewsletterIssue
from app.newsletter import bp, message, sender, service
from app.newsletter.forms import ActionForm, IssueForm, SubscribeForm
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
    from app.errors import render_error

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
            subscriber = service.confirm_subscription(token)
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
        from app.errors import render_error

        return render_error(400, _("This unsubscribe link is not valid."))
    if request.method == "POST":
        if subscriber is not None:
            service.unsubscribe(subscriber)
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


# ---------------------------------------------------------------- staff


def staff_only(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        # 404, not 403: the staff area is not advertised to others.
        if not (current_user.is_authenticated and current_user.is_staff):
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def _issue_or_404(issue_id):
    issue = db.session.get(NewsletterIssue, issue_id)
    if issue is None:
        abort(404)
    return issue


def _subscriber_counts():
    rows = db.session.execute(
        db.select(Subscriber.status, Subscriber.language, db.func.count()).group_by(
            Subscriber.status, Subscriber.language
        )
    ).all()
    counts = {}
    for status, lang, n in rows:
        counts.setdefault(status, {})[lang] = n
    return counts


@bp.get("/admin/newsletter/")
@staff_only
def admin_index():
    issues = (
        db.session.execute(db.select(NewsletterIssue).order_by(NewsletterIssue.created_at.desc()))
        .scalars()
        .all()
    )
    stats = {issue.id: sender.progress(issue) for issue in issues if not issue.is_draft}
    return render_template(
        "newsletter/admin/index.html",
        issues=issues,
        stats=stats,
        counts=_subscriber_counts(),
    )


def _published_videos(query=None, limit=200):
    stmt = db.select(Video).where(Video.published.is_(True))
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            Video.id.in_(
                db.select(VideoText.video_id).where(
                    db.func.lower(VideoText.title).like(like)
                    | db.func.lower(VideoText.summary).like(like)
                )
            )
        )
    stmt = stmt.order_by(Video.published_at.desc().nulls_last(), Video.id.desc()).limit(limit)
    return db.session.execute(stmt).scalars().all()


def _chosen_videos(ids):
    wanted = []
    for raw in ids:
        try:
            wanted.append(int(raw))
        except (TypeError, ValueError):
            continue
    if not wanted:
        return []
    found = {
        v.id: v
        for v in db.session.execute(
            db.select(Video).where(Video.id.in_(wanted), Video.published.is_(True))
        ).scalars()
    }
    seen, ordered = set(), []
    for vid in wanted:
        if vid in found and vid not in seen:
            seen.add(vid)
            ordered.append(found[vid])
    return ordered


def _compose(issue):
    form = IssueForm(obj=issue if request.method == "GET" else None)
    if request.method == "GET":
        chosen = list(issue.videos) if issue else []
    else:
        chosen = _chosen_videos(request.form.getlist("videos"))
    query = (request.values.get("q") or "").strip()[:100]
    action = request.form.get("action", "save")
    if request.method == "POST" and action != "search" and form.validate():
        if issue is None:
            issue = NewsletterIssue(created_by=current_user._get_current_object())
            db.session.add(issue)
        elif not issue.is_draft:
            flash(_("This issue has been sent: it can no longer be changed."), "error")
            return redirect(url_for("newsletter.admin_issue", issue_id=issue.id))
        form.populate_obj(issue)
        db.session.flush()
        issue.set_videos(chosen)
        db.session.commit()
        flash(_("Issue saved."), "success")
        return redirect(url_for("newsletter.admin_issue", issue_id=issue.id))
    chosen_ids = {v.id for v in chosen}
    candidates = [v for v in _published_videos(query) if v.id not in chosen_ids]
    status = 400 if request.method == "POST" and action != "search" else 200
    return (
        render_template(
            "newsletter/admin/compose.html",
            form=form,
            issue=issue,
            chosen=chosen,
            candidates=candidates,
            query=query,
            lang=current_language(),
        ),
        status,
    )


@bp.route("/admin/newsletter/new", methods=["GET", "POST"])
@staff_only
def admin_new():
    return _compose(None)


@bp.route("/admin/newsletter/<int:issue_id>/edit", methods=["GET", "POST"])
@staff_only
def admin_edit(issue_id):
    issue = _issue_or_404(issue_id)
    if not issue.is_draft:
        flash(_("This issue has been sent: it can no longer be changed."), "error")
        return redirect(url_for("newsletter.admin_issue", issue_id=issue.id))
    return _compose(issue)


@bp.get("/admin/newsletter/<int:issue_id>")
@staff_only
def admin_issue(issue_id):
    issue = _issue_or_404(issue_id)
    problems = (
        db.session.execute(
            db.select(Delivery)
            .where(Delivery.issue_id == issue.id, Delivery.status.in_(("failed", "unknown")))
            .order_by(Delivery.id)
            .limit(500)
        )
        .scalars()
        .all()
    )
    return render_template(
        "newsletter/admin/issue.html",
        issue=issue,
        progress=sender.progress(issue),
        problems=problems,
        can_resume=sender.can_resume(issue),
        counts=sender.active_subscriber_counts(),
        form=ActionForm(),
    )


@bp.get("/admin/newsletter/<int:issue_id>/preview/<lang>")
@staff_only
def admin_preview(issue_id, lang):
    issue = _issue_or_404(issue_id)
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    _subject, _text, html = message.render_issue(issue, lang, unsubscribe_url="#unsubscribe")
    response = Response(html, mimetype="text/html")
    # Shown in a sandboxed iframe of the issue page: mail HTML has inline styles, and its
    # images are the site's posters by absolute URL (SITE_URL may be another origin).
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; "
        "frame-ancestors 'self'; sandbox"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/admin/newsletter/<int:issue_id>/test")
@staff_only
def admin_test(issue_id):
    issue = _issue_or_404(issue_id)
    if not ActionForm().validate():
        abort(400)
    try:
        sender.send_test(issue, current_user.email)
    except (MailError, OSError, Exception) as exc:  # noqa: B014  any SMTP trouble
        current_app.logger.warning("newsletter test mail failed: %s", exc)
        flash(_("The test e-mail could not be sent: %(reason)s", reason=str(exc)), "error")
    else:
        flash(
            _("A test e-mail in each language was sent to %(email)s.", email=current_user.email),
            "success",
        )
    return redirect(url_for("newsletter.admin_issue", issue_id=issue.id))


@bp.route("/admin/newsletter/<int:issue_id>/send", methods=["GET", "POST"])
@staff_only
def admin_send(issue_id):
    issue = _issue_or_404(issue_id)
    form = ActionForm()
    counts = sender.active_subscriber_counts()
    if not issue.is_draft:
        return redirect(url_for("newsletter.admin_issue", issue_id=issue.id))
    if request.method == "POST" and form.validate():
        if sum(counts.values()) == 0:
            flash(_("There is no confirmed subscriber to send to."), "error")
            return redirect(url_for("newsletter.admin_issue", issue_id=issue.id))
        if sender.start_send(issue):
            flash(_("Sending has started."), "success")
        return redirect(url_for("newsletter.admin_issue", issue_id=issue.id))
    return render_template(
        "newsletter/admin/send.html",
        issue=issue,
        counts=counts,
        total=sum(counts.values()),
        form=form,
    )


@bp.post("/admin/newsletter/<int:issue_id>/stop")
@staff_only
def admin_stop(issue_id):
    issue = _issue_or_404(issue_id)
    if not ActionForm().validate():
        abort(400)
    sender.request_stop(issue)
    flash(_("Sending will stop after the message in progress."), "success")
    return redirect(url_for("newsletter.admin_issue", issue_id=issue.id))


@bp.post("/admin/newsletter/<int:issue_id>/resume")
@staff_only
def admin_resume(issue_id):
    issue = _issue_or_404(issue_id)
    if not ActionForm().validate():
        abort(400)
    if sender.resume(issue):
        flash(_("Sending has resumed."), "success")
    else:
        flash(_("Sending is already in progress."), "error")
    return redirect(url_for("newsletter.admin_issue", issue_id=issue.id))


@bp.post("/admin/newsletter/<int:issue_id>/retry")
@staff_only
def admin_retry(issue_id):
    issue = _issue_or_404(issue_id)
    if not ActionForm().validate():
        abort(400)
    if issue.is_draft:
        abort(400)
    include_unknown = request.form.get("include") == "unknown"
    sender.retry_failed(issue, include_unknown=include_unknown)
    flash(_("The recipients have been queued again."), "success")
    return redirect(url_for("newsletter.admin_issue", issue_id=issue.id))


@bp.get("/admin/newsletter/<int:issue_id>/progress.json")
@staff_only
def admin_progress(issue_id):
    issue = _issue_or_404(issue_id)
    data = sender.progress(issue)
    data["status_label"] = status_label(issue.status)
    return jsonify(data)


def status_label(status):
    return {
        "draft": _("Draft"),
        "sending": _("Sending"),
        "stopping": _("Stopping"),
        "paused": _("Paused"),
        "sent": _("Sent"),
    }.get(status, status)


@bp.app_template_filter("newsletter_status")
def _status_filter(status):
    return status_label(status)


@bp.get("/admin/newsletter/subscribers")
@staff_only
def admin_subscribers():
    query = (request.args.get("q") or "").strip()[:254]
    stmt = db.select(Subscriber).order_by(Subscriber.created_at.desc())
    if query:
        stmt = stmt.where(Subscriber.email.contains(query.lower(), autoescape=True))
    subscribers = db.session.execute(stmt.limit(500)).scalars().all()
    return render_template(
        "newsletter/admin/subscribers.html",
        subscribers=subscribers,
        counts=_subscriber_counts(),
        query=query,
    )


def _csv_cell(value):
    text = "" if value is None else str(value)
    # No formula injection when the file is opened in a spreadsheet.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


@bp.get("/admin/newsletter/subscribers.csv")
@staff_only
def admin_subscribers_csv():
    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                "email",
                "language",
                "status",
                "account",
                "created_at",
                "confirmed_at",
                "unsubscribed_at",
            ]
        )
        yield "\ufeff" + buffer.getvalue()
        stmt = db.select(Subscriber).order_by(Subscriber.id)
        for sub in db.session.execute(stmt).scalars():
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(
                [
                    _csv_cell(sub.email),
                    sub.language,
                    sub.status,
                    "yes" if sub.user_id else "no",
                    sub.created_at.isoformat(timespec="seconds") if sub.created_at else "",
                    sub.confirmed_at.isoformat(timespec="seconds") if sub.confirmed_at else "",
                    sub.unsubscribed_at.isoformat(timespec="seconds")
                    if sub.unsubscribed_at
                    else "",
                ]
            )
            yield buffer.getvalue()

    return Response(
        "".join(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="subscribers.csv"'},
    )

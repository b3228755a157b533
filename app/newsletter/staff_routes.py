"""Newsletter staff pages, under /admin/newsletter (404 for everybody else): compose,
preview, test mail, send (with a confirmation step), stop, resume, retry, progress, and
the subscriber list with its CSV export.

Starting, resuming or retrying a send gives it a run id (app.newsletter.campaign); the
page then enqueues its run (`send_issue_task`)."""

import csv
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
from flask_login import current_user

from app.extensions import db
from app.i18n import current_language
from app.mailer import MailError
from app.models import Subscriber, Video, VideoText
from app.models.newsletter import Delivery, NewsletterIssue
from app.newsletter import campaign, message
from app.newsletter.blueprint import staff_bp as bp
from app.newsletter.forms import ActionForm, IssueForm
from app.newsletter.tasks import send_issue_task


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


@bp.get("/")
def index():
    issues = (
        db.session.execute(db.select(NewsletterIssue).order_by(NewsletterIssue.created_at.desc()))
        .scalars()
        .all()
    )
    stats = {issue.id: campaign.progress(issue) for issue in issues if not issue.is_draft}
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
            return redirect(url_for("newsletter_admin.issue", issue_id=issue.id))
        form.populate_obj(issue)
        db.session.flush()
        issue.set_videos(chosen)
        db.session.commit()
        flash(_("Issue saved."), "success")
        return redirect(url_for("newsletter_admin.issue", issue_id=issue.id))
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


@bp.route("/new", methods=["GET", "POST"])
def new():
    return _compose(None)


@bp.route("/<id:issue_id>/edit", methods=["GET", "POST"])
def edit(issue_id):
    issue = _issue_or_404(issue_id)
    if not issue.is_draft:
        flash(_("This issue has been sent: it can no longer be changed."), "error")
        return redirect(url_for("newsletter_admin.issue", issue_id=issue.id))
    return _compose(issue)


@bp.get("/<id:issue_id>")
def issue(issue_id):
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
        progress=campaign.progress(issue),
        problems=problems,
        can_resume=campaign.can_resume(issue),
        counts=campaign.active_subscriber_counts(),
        form=ActionForm(),
    )


@bp.get("/<id:issue_id>/preview/<lang>")
def preview(issue_id, lang):
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


@bp.post("/<id:issue_id>/test")
def test(issue_id):
    issue = _issue_or_404(issue_id)
    if not ActionForm().validate():
        abort(400)
    try:
        campaign.send_test(issue, current_user.email)
    except (MailError, OSError, Exception) as exc:  # noqa: B014  any SMTP trouble
        current_app.logger.warning("newsletter test mail failed: %s", exc)
        flash(_("The test e-mail could not be sent: %(reason)s", reason=str(exc)), "error")
    else:
        flash(
            _("A test e-mail in each language was sent to %(email)s.", email=current_user.email),
            "success",
        )
    return redirect(url_for("newsletter_admin.issue", issue_id=issue.id))


@bp.route("/<id:issue_id>/send", methods=["GET", "POST"])
def send(issue_id):
    issue = _issue_or_404(issue_id)
    form = ActionForm()
    counts = campaign.active_subscriber_counts()
    if not issue.is_draft:
        return redirect(url_for("newsletter_admin.issue", issue_id=issue.id))
    if request.method == "POST" and form.validate():
        if sum(counts.values()) == 0:
            flash(_("There is no confirmed subscriber to send to."), "error")
            return redirect(url_for("newsletter_admin.issue", issue_id=issue.id))
        run_id = campaign.start_send(issue)
        if run_id is not None:
            send_issue_task(issue.id, run_id)
            flash(_("Sending has started."), "success")
        return redirect(url_for("newsletter_admin.issue", issue_id=issue.id))
    return render_template(
        "newsletter/admin/send.html",
        issue=issue,
        counts=counts,
        total=sum(counts.values()),
        form=form,
    )


@bp.post("/<id:issue_id>/stop")
def stop(issue_id):
    issue = _issue_or_404(issue_id)
    if not ActionForm().validate():
        abort(400)
    campaign.request_stop(issue)
    flash(_("Sending will stop after the message in progress."), "success")
    return redirect(url_for("newsletter_admin.issue", issue_id=issue.id))


@bp.post("/<id:issue_id>/resume")
def resume(issue_id):
    issue = _issue_or_404(issue_id)
    if not ActionForm().validate():
        abort(400)
    run_id = campaign.resume(issue)
    if run_id is not None:
        send_issue_task(issue.id, run_id)
        flash(_("Sending has resumed."), "success")
    else:
        flash(_("Sending is already in progress."), "error")
    return redirect(url_for("newsletter_admin.issue", issue_id=issue.id))


@bp.post("/<id:issue_id>/retry")
def retry(issue_id):
    issue = _issue_or_404(issue_id)
    if not ActionForm().validate():
        abort(400)
    if issue.is_draft:
        abort(400)
    include_unknown = request.form.get("include") == "unknown"
    run_id = campaign.retry_failed(issue, include_unknown=include_unknown)
    if run_id is not None:
        send_issue_task(issue.id, run_id)
    flash(_("The recipients have been queued again."), "success")
    return redirect(url_for("newsletter_admin.issue", issue_id=issue.id))


@bp.get("/<id:issue_id>/progress.json")
def progress(issue_id):
    issue = _issue_or_404(issue_id)
    data = campaign.progress(issue)
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


@bp.get("/subscribers")
def subscribers():
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


@bp.get("/subscribers.csv")
def subscribers_csv():
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

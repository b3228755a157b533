"""Downloading the basket: cut its clips first, follow them, then one streamed ZIP.

    POST /basket/prepare        ask for every clip not cut yet (the clip service and job)
    GET  /basket/status         JSON: one progress for the whole basket
    GET  /basket/download.zip   the ZIP (409 while a clip is not cut)

The ZIP follows the download rule of each file alone (`policy.download_refusal`), and
each file in it is written to the download log as if downloaded alone, once the server
closes the answer, with the bytes of that file that left.
"""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.basket import archive, files, present, service
from app.basket.blueprint import bp
from app.basket.routes import login_first
from app.clips.tasks import cut_clip
from app.errors import render_error
from app.http.sendfile import CountingIterable
from app.i18n import current_language
from app.library import policy
from app.library.download_log import log_callback
from app.media.errors import MediaError


def _refusal():
    refused = login_first()
    if refused is not None:
        return refused
    reason = policy.download_refusal()
    if reason == policy.VERIFY:
        return render_error(403, _("Please verify your e-mail address before downloading."))
    if reason == policy.TERMS:
        return render_error(403, _("Please accept the usage terms before downloading."))
    return None


def _downloadable_items():
    basket = service.basket_of(current_user)
    return basket, [i for i in basket.items if policy.can_see(i.video, current_user)]


@bp.post("/basket/prepare")
def prepare():
    refused = _refusal()
    if refused is not None:
        return refused
    basket, items = _downloadable_items()
    too_big = service.size_problem(items)
    if too_big:
        flash(too_big, "error")
        return redirect(url_for("basket.show"))
    for clip_id in files.request_clips(items, current_user):
        cut_clip(clip_id)
    return redirect(url_for("basket.show") + "#basket-download")


@bp.get("/basket/status")
def status():
    refused = _refusal()
    if refused is not None:
        return refused
    _basket, items = _downloadable_items()
    body = present.progress(items)
    if body["ready"]:
        body["download_url"] = url_for("basket.download")
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _zip_name(basket):
    """rushes-basket_<name>.zip: the basket's name when it has one."""
    label = "-".join((basket.name or "").split()) or _("basket")
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in label)[:80]
    return f"{current_app.config['SITE_NAME']}_{safe}.zip".replace(" ", "-")


def _logger(entries, client_address):
    """The CountingIterable callback: one Download row per file, as if sent alone (a
    script is not logged, as it is not when downloaded alone: app/scripts/routes.py)."""
    writers = [
        (
            index,
            log_callback(
                user_id=current_user.id,
                video_id=entry.item.video_id,
                client_address=client_address,
                **entry.log,
            ),
        )
        for index, entry in enumerate(entries)
        if entry.log
    ]

    def write(bytes_sent, status, _range_header):
        sent = archive.sent_per_entry(entries, bytes_sent)
        for index, writer in writers:
            if sent[index]:
                writer(sent[index], status, None)

    return write


@bp.get("/basket/download.zip")
def download():
    refused = _refusal()
    if refused is not None:
        return refused
    basket, items = _downloadable_items()
    if not items:
        return render_error(404, _("Your basket is empty."))
    too_big = service.size_problem(items)
    if too_big:
        return render_error(413, too_big)
    try:
        entries = files.entries(items)
    except files.NotReady:
        return render_error(409, _("Some clips are not cut yet. Prepare the basket first."))
    except MediaError:
        return render_error(500, _("A still could not be made. Please try again."))
    stream = archive.build(entries, current_language(), basket.name)
    log = _logger(entries, request.remote_addr)
    body = CountingIterable(iter(stream), current_app._get_current_object(), log, 200, None)
    response = current_app.response_class(body, mimetype="application/zip", direct_passthrough=True)
    response.headers["Content-Length"] = str(len(stream))
    response.headers["Accept-Ranges"] = "none"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers.set("Content-Disposition", "attachment", filename=_zip_name(basket))
    return response

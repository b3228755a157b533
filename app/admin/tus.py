"""A tus 1.0.0 server for masters of many gigabytes (core + creation + termination +
expiration), on the staff-only admin blueprint.

The bytes land in the upload store (app/ingest/store.py). PATCH bodies are streamed to
disk in 1 MiB pieces: memory stays flat whatever the size of the file. When the last
byte arrives the file is probed; a file that is not a decodable video (a still image
named .mp4 included) is refused (422, with the reason) and deleted, otherwise a Video
row is created and the ingest job queued. A declared length larger than the free space
of the media store (less a margin) is refused at creation (507).

CSRF: every state-changing request (POST, PATCH, DELETE) must carry the page's token
in an ``X-CSRFToken`` header, which the admin guard checks before the view runs.
"""

import base64
import binascii
import fcntl
import re
import shutil

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import ClientDisconnected

from app import storage
from app.admin.blueprint import bp
from app.formatting import human_size
from app.ingest import service, tasks
from app.ingest.store import Upload
from app.media.errors import MediaError
from app.media_messages import describe

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration"
CHUNK = 1024 * 1024
# Room kept free on the media store beyond an upload's own size (renditions, clips).
FREE_SPACE_MARGIN = 2 * 1024**3


def parse_metadata(header):
    """Upload-Metadata: "key base64value,key2 base64value2" -> dict (None when malformed)."""
    result = {}
    if not header:
        return result
    for pair in header.split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _sep, value = pair.partition(" ")
        if not key or not re.match(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", key):
            return None
        try:
            result[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
    return result


# ---------------------------------------------------------------- responses


def _headers(extra=None):
    headers = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store"}
    headers.update(extra or {})
    return headers


def _expires(upload):
    return upload.expires_at().strftime("%a, %d %b %Y %H:%M:%S GMT")


def _error(status, message, extra=None):
    headers = _headers(extra)
    return {"error": str(message), "status": status}, status, headers


def _check_version():
    if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != TUS_VERSION:
        return _error(
            412,
            _("This upload client speaks an unsupported protocol version."),
            {"Tus-Version": TUS_VERSION},
        )
    return None


def _free_space():
    """Bytes free where uploads land (the media store's file system)."""
    return shutil.disk_usage(storage.uploads_dir()).free


def _load_own(upload_id):
    upload = Upload.load(upload_id)
    if upload is None or upload.meta.get("video_id"):
        return None
    return upload


# ---------------------------------------------------------------- views


@bp.route("/uploads/", methods=["OPTIONS"], provide_automatic_options=False)
def tus_options():
    return (
        "",
        204,
        _headers(
            {
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(current_app.config["MAX_UPLOAD_BYTES"]),
            }
        ),
    )


@bp.route("/uploads/", methods=["POST"], provide_automatic_options=False)
def tus_create():
    bad = _check_version()
    if bad:
        return bad
    raw_length = request.headers.get("Upload-Length", "")
    if not (raw_length.isascii() and raw_length.isdigit()):
        return _error(400, _("The size of the file was not given."))
    length = int(raw_length)
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if length > limit:
        return _error(
            413,
            _("This file is too large: the limit is %(size)s.", size=human_size(limit)),
            {"Tus-Max-Size": str(limit)},
        )
    if length == 0:
        return _error(400, _("This file is empty."))
    if length + FREE_SPACE_MARGIN > _free_space():
        return _error(507, _("There is not enough free space on the server for this file."))
    metadata = parse_metadata(request.headers.get("Upload-Metadata"))
    if metadata is None:
        return _error(400, _("The file's description (Upload-Metadata) is malformed."))
    upload = Upload.create(length, metadata, current_user.id)
    location = url_for("admin.tus_upload", upload_id=upload.id)
    return "", 201, _headers({"Location": location, "Upload-Expires": _expires(upload)})


@bp.route("/uploads/<upload_id>", methods=["HEAD"])
def tus_upload(upload_id):
    bad = _check_version()
    if bad:
        return bad
    upload = _load_own(upload_id)
    if upload is None:
        return "", 404, _headers()
    return (
        "",
        200,
        _headers(
            {
                "Upload-Offset": str(upload.offset),
                "Upload-Length": str(upload.length),
                "Upload-Expires": _expires(upload),
            }
        ),
    )


@bp.route("/uploads/<upload_id>", methods=["PATCH"])
def tus_patch(upload_id):
    bad = _check_version()
    if bad:
        return bad
    upload = _load_own(upload_id)
    if upload is None:
        return _error(404, _("This upload no longer exists; please start again."))
    if request.mimetype != "application/offset+octet-stream":
        return _error(415, _("Upload chunks must be sent as application/offset+octet-stream."))
    raw_offset = request.headers.get("Upload-Offset", "")
    if not (raw_offset.isascii() and raw_offset.isdigit()):
        return _error(400, _("The upload offset is missing."))
    # One writer at a time: a client that reconnects while the server still reads the
    # broken request gets 423 and tries again (tus-js-client does).
    with open(upload.data_path, "ab") as out:
        try:
            fcntl.flock(out, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _error(423, _("This upload is busy; please try again in a moment."))
        offset = upload.offset
        if int(raw_offset) != offset:
            return _error(
                409, _("The upload offset does not match."), {"Upload-Offset": str(offset)}
            )
        remaining = upload.length - offset
        declared = request.content_length
        if declared is not None and declared > remaining:
            return _error(
                413,
                _("This chunk goes past the announced end of the file."),
                {"Upload-Offset": str(offset)},
            )
        written = _append_stream(out, remaining)
    upload.touch()
    offset = upload.offset
    headers = {"Upload-Offset": str(offset), "Upload-Expires": _expires(upload)}
    if written is None:  # more bytes than announced
        return _error(413, _("This chunk goes past the announced end of the file."), headers)
    if offset < upload.length:
        return "", 204, _headers(headers)
    return _complete(upload, headers)


@bp.route("/uploads/<upload_id>", methods=["DELETE"])
def tus_delete(upload_id):
    bad = _check_version()
    if bad:
        return bad
    upload = _load_own(upload_id)
    if upload is None:
        return "", 404, _headers()
    upload.delete()
    return "", 204, _headers()


def _append_stream(out, remaining):
    """Append the request body to the open upload file `out`, piece by piece.

    Returns the bytes written, or None when the client sent more than `remaining`
    (what fitted is kept). A dropped connection keeps what arrived: the client asks
    for the offset with HEAD and continues from there.
    """
    stream = request.stream
    written = 0
    while True:
        try:
            piece = stream.read(min(CHUNK, remaining - written + 1))
        except (ClientDisconnected, OSError):
            break
        if not piece:
            break
        if written + len(piece) > remaining:
            out.write(piece[: remaining - written])
            out.flush()
            return None
        out.write(piece)
        written += len(piece)
    out.flush()
    return written


def _complete(upload, headers):
    """Last byte received: refuse a non-video, else create the Video and queue ingest."""
    try:
        service.check_is_video(upload.data_path)
    except Exception as exc:  # MediaError, or anything a damaged file makes PyAV raise
        if not isinstance(exc, MediaError):
            current_app.logger.warning("probe of upload %s failed: %r", upload.id, exc)
        code, params = (exc.code, exc.params) if isinstance(exc, MediaError) else (None, {})
        upload.delete()
        return _error(
            422,
            _(
                "“%(name)s” is not a video we can use. %(reason)s Nothing was kept.",
                name=upload.filename,
                reason=describe(code, params),
            ),
            headers,
        )
    video = service.video_from_upload(upload, current_user.id)
    tasks.ingest_video(video.id, str(upload.data_path))
    edit_url = url_for("admin.edit", video_id=video.id)
    headers.update({"Rushes-Video-Id": str(video.id), "Rushes-Edit-Url": edit_url})
    # 204 as for any PATCH (tus 1.0.0); the new video is named in headers.
    return "", 204, _headers(headers)

"""A tus 1.0.0 server for masters of many gigabytes (core + creation + termination +
expiration), on the staff-only admin blueprint.

Each upload is two files in instance/uploads/: ``<id>`` (the bytes received so far,
so its size *is* the offset) and ``<id>.json`` (length, metadata, owner, times).
PATCH bodies are streamed to disk in 1 MiB pieces: memory stays flat whatever the
size of the file. When the last byte arrives the file is probed; a file that is not a
decodable video is refused (422, with the reason) and deleted, otherwise a Video row
is created and the ingest job queued.

CSRF: every state-changing request (POST, PATCH, DELETE) must carry the page's token
in an ``X-CSRFToken`` header, which Flask-WTF checks before the view runs.
"""

import base64
import binascii
import fcntl
import json
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import ClientDisconnected

from app import storage
from app.admin import bp
from app.clock import utcnow
from app.extensions import db

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration"
CHUNK = 1024 * 1024
_ID_RE = re.compile(r"^[0-9a-f]{32}$")


# ---------------------------------------------------------------- storage of uploads


class Upload:
    def __init__(self, upload_id, meta):
        self.id = upload_id
        self.meta = meta

    @property
    def data_path(self):
        return storage.uploads_dir() / self.id

    @property
    def meta_path(self):
        return storage.uploads_dir() / f"{self.id}.json"

    @property
    def length(self):
        return self.meta["length"]

    @property
    def offset(self):
        try:
            return self.data_path.stat().st_size
        except FileNotFoundError:
            return 0

    @property
    def filename(self):
        return self.meta.get("metadata", {}).get("filename") or "upload"

    def expires_at(self):
        from datetime import datetime

        last = datetime.fromisoformat(self.meta["touched_at"])
        return last + timedelta(hours=current_app.config["UPLOAD_EXPIRY_HOURS"])

    def save(self):
        tmp = self.meta_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.meta))
        os.replace(tmp, self.meta_path)

    def touch(self):
        self.meta["touched_at"] = utcnow().isoformat()
        self.save()

    def delete(self):
        for path in (self.data_path, self.meta_path):
            path.unlink(missing_ok=True)

    @classmethod
    def create(cls, length, metadata, user_id):
        upload_id = secrets.token_hex(16)
        now = utcnow().isoformat()
        upload = cls(
            upload_id,
            {
                "length": length,
                "metadata": metadata,
                "user_id": user_id,
                "created_at": now,
                "touched_at": now,
            },
        )
        upload.data_path.touch()
        upload.save()
        return upload

    @classmethod
    def load(cls, upload_id):
        if not _ID_RE.match(upload_id or ""):
            return None
        path = storage.uploads_dir() / f"{upload_id}.json"
        try:
            meta = json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return cls(upload_id, meta)

    @classmethod
    def all(cls):
        for path in storage.uploads_dir().glob("*.json"):
            upload = cls.load(path.stem)
            if upload is not None:
                yield upload


def remove_expired_uploads(now=None):
    """Delete uploads that have received nothing for UPLOAD_EXPIRY_HOURS.

    Returns the number removed. Called by a periodic job and `flask rushes cleanup-uploads`.
    Stray data files without metadata (a crash between the two writes) go too.
    """
    now = now or utcnow()
    removed = 0
    for upload in list(Upload.all()):
        if upload.meta.get("video_id"):
            continue  # complete, waiting for its ingest job to move it
        if upload.expires_at() <= now:
            upload.delete()
            removed += 1
    # Stray data files whose metadata never got written: judged by their own mtime.
    import time

    cutoff = time.time() - current_app.config["UPLOAD_EXPIRY_HOURS"] * 3600
    for path in storage.uploads_dir().iterdir():
        stray = _ID_RE.match(path.name) and not path.with_suffix(".json").exists()
        if stray and path.stat().st_mtime <= cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def pending_source(video_id):
    """The completed upload still waiting to become the master of `video_id`, if any."""
    for upload in Upload.all():
        if upload.meta.get("video_id") == video_id and upload.data_path.exists():
            return upload
    return None


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
    if not raw_length.isdigit():
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
    if not raw_offset.isdigit():
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
    from app.jobs.ingest import ingest_video
    from app.media.errors import MediaError
    from app.media.probe import probe
    from app.models import Video

    try:
        probe(str(upload.data_path))
    except Exception as exc:  # MediaError, or anything a damaged file makes PyAV raise
        if not isinstance(exc, MediaError):
            current_app.logger.warning("probe of upload %s failed: %r", upload.id, exc)
            exc = MediaError("")
        upload.delete()
        return _error(
            422,
            _(
                "“%(name)s” is not a video we can use. %(reason)s Nothing was kept.",
                name=upload.filename,
                reason=describe_media_error(exc),
            ),
            headers,
        )
    video = Video(
        status="queued",
        progress=0.0,
        original_filename=upload.filename[:300],
        uploaded_by_id=current_user.id,
        slug="video",
    )
    _default_texts(video, upload)
    db.session.add(video)
    db.session.commit()
    upload.meta["video_id"] = video.id
    upload.save()
    ingest_video(video.id, str(upload.data_path))
    edit_url = url_for("admin.edit", video_id=video.id)
    headers.update({"Rushes-Video-Id": str(video.id), "Rushes-Edit-Url": edit_url})
    # 204 as for any PATCH (tus 1.0.0); the new video is named in headers.
    return "", 204, _headers(headers)


def _default_texts(video, upload):
    from app.admin.forms import apply_defaults

    apply_defaults(video)
    title = (upload.meta.get("metadata", {}).get("title") or "").strip()
    if title:
        from app.models import VideoText

        video.texts.append(VideoText(lang=current_app.config["LANGUAGES"][0], title=title[:300]))


# The media core explains in English; these are its sentences, for translation.
_KNOWN_REASONS = {
    "The file contains no video stream.": _l("The file contains no video stream."),
    "The file could not be found.": _l("The file could not be found."),
    "The video stream has no usable frame rate.": _l("The video stream has no usable frame rate."),
    "The master file is missing.": _l("The master file is missing."),
    "The video has no duration; no thumbnails can be made.": _l(
        "The video has no duration; no thumbnails can be made."
    ),
}
_REASON_PREFIXES = (
    (
        "The file could not be read as a media file: ",
        _l("The file could not be read as a media file (%(detail)s)."),
    ),
    (
        "The video stream could not be decoded: ",
        _l("The video stream could not be decoded (%(detail)s)."),
    ),
    (
        "The renditions could not be made: ",
        _l("The renditions could not be made (%(detail)s)."),
    ),
)


def describe_media_error(exc):
    """The reason of a MediaError as a sentence in the user's language."""
    return translate_reason(str(getattr(exc, "reason", None) or exc or ""))


def translate_reason(reason):
    """A media core sentence (English) in the user's language, when it is a known one."""
    reason = (reason or "").strip()
    if reason in _KNOWN_REASONS:
        return str(_KNOWN_REASONS[reason])
    for prefix, template in _REASON_PREFIXES:
        if reason.startswith(prefix):
            detail = reason[len(prefix) :].rstrip(".")
            return str(template) % {"detail": detail}
    return reason or _("The file could not be read.")


UNITS = (_l("B"), _l("KB"), _l("MB"), _l("GB"), _l("TB"))


def human_size(n):
    """1234567 -> "1.2 MB" / "1,2 Mo", in the user's language (decimal units)."""
    from flask_babel import format_decimal

    n = float(n or 0)
    index = 0
    while n >= 1000 and index < len(UNITS) - 1:
        n /= 1000
        index += 1
    number = format_decimal(n, format="#,##0" if index == 0 else "#,##0.0")
    return f"{number}\u00a0{UNITS[index]}"


def upload_path_of(upload_id):
    return Path(storage.uploads_dir()) / upload_id

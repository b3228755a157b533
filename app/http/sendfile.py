"""Serve a media file to an authorised user: Range, conditional GET, logging of bytes sent.

Public API (used by full downloads in app/library and by clip downloads in app/clips),
``send_media`` of this module::

    return send_media(
        abs_path,                 # absolute path of the file on disk
        "2026-03-14_defence-ministers_fhd.mp4",   # Content-Disposition file name
        log_download=callback,    # or None: callback(bytes_sent, status, range_header)
        mimetype=None,            # guessed from the name when None
        as_attachment=True,       # False for the player's files (inline)
    )

What it does:

* Werkzeug's own ``send_file(..., conditional=True, etag=...)`` machinery answers
  ``Range`` (206 with ``Content-Range``), ``If-Range``, ``If-None-Match`` /
  ``If-Modified-Since`` (304), with ``ETag``, ``Last-Modified``, ``Content-Length`` and an
  RFC 6266 ``Content-Disposition`` (``filename*=UTF-8''…`` plus an ASCII fallback). The
  ETag is ours (``file_etag``: size, modification time in ns, inode), handed to Werkzeug,
  so that the If-Match check below compares with exactly what the client was given.
* ``If-Match`` and ``If-Unmodified-Since`` are evaluated here as RFC 9110 §13.2.2 says
  (412 when they fail), before Werkzeug sees the request.
* An unsatisfiable range is a 416 with ``Content-Range: bytes */<size>``; a multi-range
  request is answered with the whole file (200), which HTTP allows.
* The body streams from disk in constant memory: a ``FileWrapper`` reading blocks of
  ``DOWNLOAD_BLOCK_SIZE`` bytes (256 KiB by default), seeking straight to the start of a
  range.
* The response iterable is wrapped to count the bytes the server actually took; when the
  WSGI server closes it (download finished or broken off), ``log_download`` is called
  inside an app context with that count. It is called once per 200/206 answer to a GET,
  never for HEAD, 304, 412 or 416.
* With ``X_ACCEL_REDIRECT`` on, the app only authorises: the answer carries
  ``X-Accel-Redirect: <X_ACCEL_PREFIX><path relative to MEDIA_ROOT>`` (``storage.accel_uri``)
  and the headers,
  and nginx sends the bytes (and handles Range itself). The download is then logged at
  once with the number of bytes nginx was asked to send.
"""

from __future__ import annotations

import contextlib
import io
import logging
import mimetypes
import os
import socket
from collections.abc import Callable

from flask import current_app, request
from flask_babel import gettext
from werkzeug.datastructures import Range
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import parse_date, parse_etags, parse_range_header
from werkzeug.utils import send_file
from werkzeug.wsgi import FileWrapper

from app import storage

log = logging.getLogger(__name__)

DEFAULT_BLOCK_SIZE = 256 * 1024

# Broadcast containers that mimetypes does not know everywhere.
for _type, _ext in (
    ("application/mxf", ".mxf"),
    ("video/mp2t", ".ts"),
    ("video/quicktime", ".mov"),
    ("video/mp4", ".mp4"),
    ("text/vtt", ".vtt"),
):
    mimetypes.add_type(_type, _ext)

LogCallback = Callable[[int, int, "str | None"], None]


def send_media(
    abs_path,
    download_name: str,
    *,
    log_download: LogCallback | None = None,
    mimetype: str | None = None,
    as_attachment: bool = True,
    max_age: int | None = 0,
):
    """Answer the current request with the file at `abs_path` (see the module doc)."""
    abs_path = os.path.abspath(os.fspath(abs_path))
    max_age = max_age or 0  # None: not cached either
    app = current_app._get_current_object()
    range_header = request.headers.get("Range")
    stat = os.stat(abs_path)  # FileNotFoundError is the caller's business (404)

    environ = dict(request.environ)
    etag = file_etag(stat)
    failed = _failed_preconditions(environ, etag, stat)
    # Werkzeug handles the rest of the conditional headers.
    environ.pop("HTTP_IF_MATCH", None)
    environ.pop("HTTP_IF_UNMODIFIED_SINCE", None)
    parsed = parse_range_header(environ.get("HTTP_RANGE"))
    if parsed is not None and len(parsed.ranges) > 1:
        environ.pop("HTTP_RANGE", None)  # multipart ranges: send the whole file instead
        environ.pop("HTTP_IF_RANGE", None)

    block = int(app.config.get("DOWNLOAD_BLOCK_SIZE") or DEFAULT_BLOCK_SIZE)
    environ["wsgi.file_wrapper"] = lambda f, _size=8192: FileWrapper(f, block)

    if mimetype is None:
        mimetype = mimetypes.guess_type(download_name)[0] or "application/octet-stream"

    accel = app.config.get("X_ACCEL_REDIRECT") and storage.accel_uri(abs_path)
    try:
        response = send_file(
            abs_path,
            environ,
            mimetype=mimetype,
            as_attachment=as_attachment,
            download_name=download_name,
            conditional=True,
            etag=etag,
            max_age=max_age,
            response_class=app.response_class,
        )
    except RequestedRangeNotSatisfiable:
        return _not_satisfiable(app, stat.st_size)

    response.headers["Cache-Control"] = f"private, max-age={max_age}"
    response.vary.add("Cookie")
    if failed:
        response.status_code = 412
        response.response = []
        _close_quietly(response)
        response.headers.pop("Content-Range", None)
        response.headers["Content-Length"] = "0"
        return response

    if accel and response.status_code in (200, 206):
        _close_quietly(response)
        response.headers["X-Accel-Redirect"] = accel
        # nginx answers Range itself; the app's answer is only an authorisation.
        response.status_code = 200
        response.headers.pop("Content-Range", None)
        response.headers.pop("Content-Length", None)
        response.response = []
        if request.method == "GET" and log_download is not None:
            planned = _planned_length(parsed, stat.st_size)
            _call_log(app, log_download, planned, 200, range_header)
        return response

    if request.method == "GET" and response.status_code in (200, 206):
        server_wrapper = request.environ.get("wsgi.file_wrapper")
        if isinstance(server_wrapper, type):
            # The server's own file wrapper (gunicorn: zero-copy sendfile), counting.
            start = response.content_range.start if response.status_code == 206 else 0
            length = int(response.headers["Content-Length"])
            _close_quietly(response)
            handle = _TrackedFile(abs_path, cork=request.environ.get("gunicorn.socket"))
            handle.seek(start)
            response.response = _counting_class(server_wrapper)(
                handle,
                block,
                on_close=_Logger(
                    app, log_download, response.status_code, range_header, start, length
                ),
            )
        else:
            response.response = CountingIterable(
                response.response, app, log_download, response.status_code, range_header
            )
    return response


def file_etag(stat) -> str:
    """A strong validator of a file: it changes when the file is rewritten or replaced."""
    return f"{stat.st_size:x}-{stat.st_mtime_ns:x}-{stat.st_ino:x}"


def _failed_preconditions(environ, etag, stat):
    """True when If-Match or If-Unmodified-Since fails (RFC 9110 §13.2.2, steps 1-2)."""
    if_match = environ.get("HTTP_IF_MATCH")
    if if_match:
        etags = parse_etags(if_match)
        if etags.star_tag:
            return False
        return not etags.contains(etag)  # strong comparison
    if_unmodified = environ.get("HTTP_IF_UNMODIFIED_SINCE")
    if if_unmodified:
        since = parse_date(if_unmodified)
        if since is not None:
            return int(stat.st_mtime) > since.timestamp()
    return False


def _planned_length(parsed: Range | None, size: int) -> int:
    if parsed is None or len(parsed.ranges) != 1:
        return size
    span = parsed.range_for_length(size)
    return size if span is None else span[1] - span[0]


def _not_satisfiable(app, size):
    message = "The requested range is not satisfiable."
    if "babel" in app.extensions:
        message = gettext("The requested range is not satisfiable.")
    response = app.response_class(
        message,
        status=416,
        mimetype="text/plain",
    )
    response.headers["Content-Range"] = f"bytes */{size}"
    response.headers["Accept-Ranges"] = "bytes"
    return response


def _close_quietly(response):
    with contextlib.suppress(Exception):
        response.close()


def _call_log(app, callback, count, status, range_header):
    try:
        with app.app_context():
            callback(count, status, range_header)
    except Exception:
        log.exception("could not log a download (%s bytes)", count)


class _Logger:
    """Logs once, when the server closes the file: bytes sent = how far the file moved."""

    def __init__(self, app, callback, status, range_header, start, length):
        self.app, self.callback, self.status = app, callback, status
        self.range_header, self.start, self.length = range_header, start, length
        self.done = False

    def __call__(self, position):
        if self.done:
            return
        self.done = True
        if self.callback is not None:
            sent = max(0, min(position - self.start, self.length))
            _call_log(self.app, self.callback, sent, self.status, self.range_header)


def _corked(sock):
    """Cork the client's socket (Linux TCP_CORK, nginx's `tcp_nopush`) for the file.

    sendfile() on an uncorked socket pushes many part-filled segments: corked, the
    headers share the first segment and every segment is full, which took gunicorn
    from about 0.75 to nginx's throughput on loopback (benchmarks/README.md). The
    kernel sends corked data after 200 ms anyway; the wrapper uncorks on close.
    Returns the socket when corked, else None.
    """
    cork = getattr(socket, "TCP_CORK", None)
    if sock is None or cork is None:
        return None
    try:
        sock.setsockopt(socket.IPPROTO_TCP, cork, 1)
    except (OSError, AttributeError):
        return None
    return sock


def _uncork(sock):
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)


class _TrackedFile(io.FileIO):
    """A file that remembers the furthest position it was moved to, and corks `cork`
    (the client's socket) when the server starts sending it.

    socket.sendfile() seeks the file to just after the last byte it sent, but gunicorn
    then moves the descriptor back with os.lseek() once the whole response went out, so
    tell() alone would say that a complete download sent nothing.

    The server asks for fileno() right before sendfile(); corking then, rather than when
    the view returns, never leaves a socket corked for an answer thrown away on the way
    out (an error page instead).
    """

    furthest = 0
    corked = None

    def __init__(self, path, cork=None):
        super().__init__(path, "r")
        self._to_cork = cork

    def fileno(self):
        if self._to_cork is not None:
            sock, self._to_cork = self._to_cork, None
            self.corked = _corked(sock)
        return super().fileno()

    def seek(self, pos, whence=os.SEEK_SET):
        position = super().seek(pos, whence)
        self.furthest = max(self.furthest, position)
        return position


_counting_classes = {}


def _counting_class(base):
    """A subclass of the WSGI server's file wrapper that reports its position on close.

    Servers send such a wrapper with sendfile() (gunicorn checks isinstance against
    environ["wsgi.file_wrapper"]); how far the file moved (`_TrackedFile`) is what was
    really sent, also when the client goes away.
    """
    if base not in _counting_classes:

        class CountingFileWrapper(base):
            def __init__(self, filelike, blksize, *, on_close):
                super().__init__(filelike, blksize)
                self._filelike = filelike
                self._on_close = on_close
                # gunicorn's wrapper sets self.close = filelike.close: take it back.
                self.close = self._close_and_log

            def _close_and_log(self):
                try:
                    position = self._filelike.tell()
                except (OSError, ValueError):
                    position = 0
                position = max(position, getattr(self._filelike, "furthest", 0))
                try:
                    self._filelike.close()
                finally:
                    _uncork(getattr(self._filelike, "corked", None))
                    self._on_close(position)

        _counting_classes[base] = CountingFileWrapper
    return _counting_classes[base]


class CountingIterable:
    """Wraps a response iterable: counts the bytes the server took, logs on close.

    A block counts as sent once the server asks for the next one (it has written the
    previous one) or the iteration ends normally; a block in flight when the client
    goes away does not count.
    """

    def __init__(self, inner, app, callback, status, range_header):
        self.inner = inner
        self.app = app
        self.callback = callback
        self.status = status
        self.range_header = range_header
        self.sent = 0
        self._pending = 0
        self._closed = False

    def __iter__(self):
        for block in self.inner:
            self.sent += self._pending
            self._pending = len(block)
            yield block
        self.sent += self._pending
        self._pending = 0

    def close(self):
        if self._closed:
            return
        self._closed = True
        try:
            if hasattr(self.inner, "close"):
                self.inner.close()
        finally:
            if self.callback is not None:
                _call_log(self.app, self.callback, self.sent, self.status, self.range_header)

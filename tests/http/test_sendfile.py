"""send_media(): Range, If-Range, conditional answers, Content-Disposition, X-Accel-Redirect,
and the byte count handed to the download log."""

import os
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from flask import Flask

from app.http.sendfile import send_media

DATA = bytes(range(256)) * 1024  # 256 KiB


@pytest.fixture
def served(tmp_path):
    """A bare app with one route serving one file through send_media, and the log calls."""
    media = tmp_path / "media"
    path = media / "videos" / "7" / "master.mov"
    path.parent.mkdir(parents=True)
    path.write_bytes(DATA)
    app = Flask(__name__)
    app.config.update(MEDIA_ROOT=str(media), X_ACCEL_REDIRECT=False, DOWNLOAD_BLOCK_SIZE=4096)
    calls = []

    @app.get("/file")
    def file():
        return send_media(
            path,
            "2026-03-14_réunion-défense_original.mov",
            log_download=lambda sent, status, rng: calls.append((sent, status, rng)),
        )

    app.calls = calls
    app.path = path
    return app


def get(app, **headers):
    return app.test_client().get("/file", headers=headers, buffered=True)


def test_full_answer_has_length_etag_last_modified_and_is_logged(served):
    response = get(served)
    assert response.status_code == 200
    assert response.data == DATA
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]
    assert response.headers["Content-Type"] == "video/quicktime"
    assert served.calls == [(len(DATA), 200, None)]


def test_content_disposition_is_rfc6266_with_an_ascii_fallback(served):
    disposition = get(served).headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''2026-03-14_r%C3%A9union-d%C3%A9fense_original.mov" in disposition
    assert "filename=2026-03-14_reunion-defense_original.mov" in disposition
    disposition.encode("ascii")  # the header itself is pure ASCII


def test_range_gives_206_with_content_range_and_the_bytes(served):
    response = get(served, Range="bytes=1000-1999")
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 1000-1999/{len(DATA)}"
    assert response.headers["Content-Length"] == "1000"
    assert response.data == DATA[1000:2000]
    assert served.calls == [(1000, 206, "bytes=1000-1999")]


def test_open_ended_and_suffix_ranges_resume_a_download(served):
    # curl -C - asks for "bytes=N-"; download managers use suffixes too.
    response = get(served, Range="bytes=200000-")
    assert response.status_code == 206
    assert response.data == DATA[200000:]
    response = get(served, Range="bytes=-100")
    assert response.status_code == 206
    assert response.data == DATA[-100:]


def test_unsatisfiable_range_is_416_with_the_complete_length(served):
    response = get(served, Range=f"bytes={len(DATA) + 10}-")
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(DATA)}"
    assert served.calls == []


def test_multiple_ranges_get_the_whole_file(served):
    response = get(served, Range="bytes=0-9,20-29")
    assert response.status_code == 200
    assert response.data == DATA


def test_if_range_with_the_current_etag_gives_the_range(served):
    etag = get(served).headers["ETag"]
    response = get(served, Range="bytes=0-99", **{"If-Range": etag})
    assert response.status_code == 206
    assert response.data == DATA[:100]


def test_if_range_with_a_stale_etag_gives_the_whole_new_file(served):
    response = get(served, Range="bytes=0-99", **{"If-Range": '"stale-etag"'})
    assert response.status_code == 200
    assert response.data == DATA


def test_if_range_with_an_old_date_gives_the_whole_file(served):
    old = format_datetime(parsedate_to_datetime("Mon, 01 Jan 2001 00:00:00 GMT"), usegmt=True)
    response = get(served, Range="bytes=0-99", **{"If-Range": old})
    assert response.status_code == 200
    assert len(response.data) == len(DATA)


def test_if_none_match_gives_304_without_a_body_and_no_log(served):
    etag = get(served).headers["ETag"]
    served.calls.clear()
    response = get(served, **{"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert served.calls == []


def test_if_modified_since_gives_304(served):
    last_modified = get(served).headers["Last-Modified"]
    response = get(served, **{"If-Modified-Since": last_modified})
    assert response.status_code == 304


def test_if_match_with_another_etag_is_412(served):
    response = get(served, **{"If-Match": '"not-this-one"'})
    assert response.status_code == 412
    assert response.data == b""


def test_if_match_with_the_current_etag_serves_the_file(served):
    etag = get(served).headers["ETag"]
    response = get(served, **{"If-Match": etag, "Range": "bytes=0-9"})
    assert response.status_code == 206
    assert response.data == DATA[:10]


def test_if_unmodified_since_before_the_change_is_412(served):
    os.utime(served.path, (2_000_000_000, 2_000_000_000))
    response = get(served, **{"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert response.status_code == 412


def test_head_sends_headers_only_and_is_not_logged(served):
    response = served.test_client().head("/file")
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.data == b""
    assert served.calls == []


def test_a_broken_off_download_logs_only_what_was_taken(served):
    response = served.test_client().get("/file")  # streamed, not buffered
    stream = iter(response.response)
    taken = next(stream) + next(stream)  # the client reads two blocks, then goes away
    response.close()
    assert len(taken) == 8192
    # The second block was handed over but not confirmed: only the first one counts.
    assert served.calls == [(4096, 200, None)]


def test_streams_in_blocks_not_the_whole_file(served):
    response = served.test_client().get("/file")
    blocks = list(response.response)
    response.close()
    assert len(blocks) == len(DATA) // 4096
    assert max(len(b) for b in blocks) == 4096


def test_x_accel_redirect_hands_the_bytes_to_nginx(served):
    served.config["X_ACCEL_REDIRECT"] = True
    served.config["X_ACCEL_PREFIX"] = "/_protected/"
    response = get(served, Range="bytes=0-99")
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == "/_protected/videos/7/master.mov"
    assert response.data == b""
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert "Content-Range" not in response.headers
    assert served.calls == [(100, 200, "bytes=0-99")]


class ServerFileWrapper:
    """A WSGI server's file wrapper, as gunicorn's: iterable, sends with sendfile()."""

    def __init__(self, filelike, blksize=8192):
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, "close"):
            self.close = filelike.close

    def __iter__(self):
        while True:
            data = self.filelike.read(self.blksize)
            if not data:
                return
            yield data


def test_the_servers_file_wrapper_is_used_and_counted(served):
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/file", headers={"Range": "bytes=100-199"}).get_environ()
    environ["wsgi.file_wrapper"] = ServerFileWrapper
    statuses = []
    app_iter = served(environ, lambda status, headers, exc_info=None: statuses.append(status))
    # The very object the server gets is its own wrapper: it can sendfile() it.
    assert isinstance(app_iter, ServerFileWrapper)
    assert statuses == ["206 PARTIAL CONTENT"]
    # What a server's sendfile() does: the file position ends after the last byte sent.
    assert app_iter.filelike.tell() == 100
    assert app_iter.filelike.read(60) == DATA[100:160]  # the client went away after 60
    app_iter.close()
    assert served.calls == [(60, 206, "bytes=100-199")]


def test_the_servers_file_wrapper_sends_the_whole_file(served):
    client = served.test_client()
    response = client.get(
        "/file", environ_base={"wsgi.file_wrapper": ServerFileWrapper}, buffered=True
    )
    assert response.status_code == 200
    assert response.data == DATA
    assert served.calls == [(len(DATA), 200, None)]


def test_the_client_socket_is_corked_while_the_file_goes_out(served):
    """Full segments only while sendfile() runs (nginx's tcp_nopush); uncorked on close,
    so that the end of the answer and the next one on the connection are not held."""
    import socket

    from werkzeug.test import EnvironBuilder

    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    conn, _ = listener.accept()
    try:
        environ = EnvironBuilder(path="/file").get_environ()
        environ["wsgi.file_wrapper"] = ServerFileWrapper
        environ["gunicorn.socket"] = conn
        app_iter = served(environ, lambda status, headers, exc_info=None: None)
        # Corked when the server starts sending (it asks for the descriptor), not before:
        # an answer thrown away on the way out must not leave the connection corked.
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK) == 0
        app_iter.filelike.fileno()
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK) == 1
        app_iter.close()
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK) == 0
    finally:
        for s in (client, conn, listener):
            s.close()


def test_no_max_age_means_zero(served):
    with served.test_request_context("/file"):
        response = send_media(served.path, "m.mov", max_age=None)
        response.close()
    assert response.headers["Cache-Control"] == "private, max-age=0"

"""send_media() behind a real gunicorn: bytes go out by sendfile() and are counted.

gunicorn sends the server's file wrapper with socket.sendfile() and then moves the file
descriptor back to where it started; the download log must still see every byte of a
complete download, the bytes of a range, and only what went out when the client leaves.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
SIZE = 8 * 1024 * 1024 + 123

APP = """
import http.client
import json
from flask import Flask
from app.http.sendfile import send_media

app = Flask(__name__)
app.config.update(MEDIA_ROOT={media!r}, X_ACCEL_REDIRECT=False)


@app.get("/file")
def file():
    def log(sent, status, range_header):
        with open({log!r}, "a") as f:
            f.write(json.dumps([sent, status, range_header]) + "\\n")

    return send_media({path!r}, "master.mov", log_download=log)
"""


@pytest.fixture
def gunicorn(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    path = media / "master.mov"
    path.write_bytes(os.urandom(SIZE))
    log = tmp_path / "log.jsonl"
    (tmp_path / "served.py").write_text(APP.format(media=str(media), log=str(log), path=str(path)))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        + ["--worker-class", "gthread", "--threads", "2", "served:app"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.1)

    def logged(count):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lines = log.read_text().splitlines() if log.exists() else []
            if len(lines) >= count:
                return [json.loads(line) for line in lines]
            time.sleep(0.05)
        pytest.fail(f"fewer than {count} download log calls")

    def get(headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/file", headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    yield port, get, path.read_bytes(), logged
    server.terminate()
    server.wait(10)


def test_a_complete_download_by_sendfile_is_logged_in_full(gunicorn):
    port, get, data, logged = gunicorn
    assert get() == (200, data)
    assert logged(1) == [[SIZE, 200, None]]


def test_a_range_is_logged_with_its_length(gunicorn):
    port, get, data, logged = gunicorn
    assert get({"Range": "bytes=1000-1999999"}) == (206, data[1000:2000000])
    assert logged(1) == [[1999000, 206, "bytes=1000-1999999"]]


def test_a_client_that_leaves_early_is_logged_with_what_went_out(gunicorn):
    port, get, data, logged = gunicorn
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.sendall(b"GET /file HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = sock.recv(65536)
        assert received.startswith(b"HTTP/1.1 200")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    ((sent, status, _),) = logged(1)
    assert status == 200
    assert 0 < sent < SIZE

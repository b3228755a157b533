"""The log-in limit holds for the site as `make run` serves it (gunicorn, its settings).

Limits live in the web process's memory unless REDIS_URL is set; `make run` must therefore
serve every request from one process, or an attacker gets the limit once per process.
"""

import http.cookiejar
import os
import re
import shlex
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from app.extensions import db
from app.models import User
from app.security.passwords import hash_password
from tests.conftest import PASSWORD
from tests.helpers import csrf_token, free_port

ROOT = Path(__file__).resolve().parents[2]


def _make_run_gunicorn_arguments():
    """The gunicorn options of `make run`, as make would run them."""
    recipe = subprocess.run(
        ["make", "-s", "-n", "run", "HOST=127.0.0.1", "PORT=1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in recipe.splitlines() if "gunicorn --bind" in line)
    words = shlex.split(line[line.index("gunicorn --bind") :].rstrip("\\ "))
    options = words[1:]
    bind = options.index("--bind")
    del options[bind : bind + 2]
    return [o for o in options if o not in ("--access-logfile", "-", "wsgi:app")]


@pytest.fixture
def served(app, database_url, tmp_path):
    db.session.add(
        User(
            email="ada@example.org",
            full_name="Ada",
            password_hash=hash_password(PASSWORD),
            verified_at=db.func.now(),
        )
    )
    db.session.commit()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RUSHES_INSTANCE": str(tmp_path),
        "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
        "LOGIN_LIMIT_PER_ADDRESS": "100 per 15 minutes",
    }
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}"]
        + _make_run_gunicorn_arguments()
        + ["wsgi:app"],
        cwd=ROOT,
        env=env,
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
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(10)


def _failed_login(base):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(base + "/login", timeout=10).read().decode()
    body = urllib.parse.urlencode(
        {"csrf_token": csrf_token(page), "email": "ada@example.org", "password": "Wrong-1!x"}
    ).encode()
    try:
        return opener.open(base + "/login", data=body, timeout=10).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_make_run_serves_from_one_process_unless_redis_is_set():
    options = _make_run_gunicorn_arguments()
    assert options[options.index("--workers") + 1] == "1"
    assert re.fullmatch(r"\d+", options[options.index("--threads") + 1])


def test_failed_logins_are_limited_across_the_served_site(served):
    answers = [_failed_login(served) for _ in range(8)]
    assert answers.count(400) == 3, answers
    assert answers[3:] == [429] * 5, answers

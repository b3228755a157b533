"""The README's production recipe, from a fresh clone, serves French.

`flask db upgrade` then gunicorn, with no `make` step: the catalogues are compiled at
start-up (app/i18n.py), since compiled .mo files are not in the repository.
"""

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")) or not (ROOT / ".git").exists(),
    reason="runs once, in the SQLite pass, from a git checkout",
)


def test_production_recipe_from_a_fresh_clone_answers_in_french(tmp_path):
    clone = tmp_path / "rushes"
    subprocess.run(["git", "clone", "-q", "--local", str(ROOT), str(clone)], check=True)
    # The clone holds what is committed; the work tree may hold more (this very change).
    for path in ("app", "templates", "static", "migrations", "config.py", "wsgi.py"):
        source, target = ROOT / path, clone / path
        if source.is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
        else:
            shutil.copy2(source, target)
    assert not list(clone.glob("app/translations/*/LC_MESSAGES/*.mo"))
    port = free_port()
    env = {
        **os.environ,
        "RUSHES_ENV": "production",
        "SECRET_KEY": "a-production-secret-of-more-than-32-bytes!",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'rushes.db'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "X_ACCEL_REDIRECT": "1",
    }
    env.pop("TEST_DATABASE_URL", None)
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=clone,
        env=env,
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
        cwd=clone,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/terms", headers={"Accept-Language": "fr"}
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    html = response.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(10)
    assert 'lang="fr"' in html
    assert "Aller au contenu" in html

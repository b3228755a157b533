"""Fixtures of the admin tests: a logged-in staff client and tus helpers."""

import base64
import re

import pytest

from tests.mediagen import master, media_dir  # noqa: F401  (fixtures)

CSRF_ATTR = re.compile(r'data-csrf="([^"]+)"')
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def staff(make_user, login):
    user = make_user(email="staff@example.org", staff=True, language="en")
    login("staff@example.org")
    return user


class TusClient:
    """Speaks tus 1.0.0 to /admin/uploads/ through the Flask test client."""

    def __init__(self, client):
        self.client = client
        page = client.get("/admin/upload")
        assert page.status_code == 200
        self.token = CSRF_ATTR.search(page.get_data(as_text=True)).group(1)

    def headers(self, **extra):
        return {**TUS, "X-CSRFToken": self.token, **extra}

    def create(self, length, filename="master.mp4", **meta):
        meta = {"filename": filename, **meta}
        encoded = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())
        return self.client.post(
            "/admin/uploads/",
            headers=self.headers(**{"Upload-Length": str(length), "Upload-Metadata": encoded}),
        )

    def patch(self, location, offset, data):
        return self.client.patch(
            location,
            data=data,
            headers=self.headers(
                **{
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                }
            ),
        )

    def head(self, location):
        return self.client.head(location, headers=TUS)

    def upload(self, data, filename="master.mp4", chunk=64 * 1024):
        created = self.create(len(data), filename)
        assert created.status_code == 201, created.get_data(as_text=True)
        location = created.headers["Location"]
        response = None
        for offset in range(0, len(data), chunk):
            response = self.patch(location, offset, data[offset : offset + chunk])
        return location, response


@pytest.fixture
def tus(client, staff):
    return TusClient(client)


@pytest.fixture(autouse=True)
def _private_upload_dir(app_config, tmp_path):
    # Uploads of a test stay in its own temporary directory, beside its MEDIA_ROOT.
    app_config["UPLOAD_DIR"] = str(tmp_path / "uploads")

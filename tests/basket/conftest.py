"""The basket tests reuse the clip tests' published videos with real masters."""

import pytest

from tests.clips.conftest import (  # noqa: F401  (fixtures)
    csrf_token_of,
    downloader,
    logged_in,
    make_video,
    sign_in,
)
from tests.mediagen import master, media_dir  # noqa: F401  (fixtures)


@pytest.fixture
def add(client):
    """add(video, kind=..., **fields) posts the video page's "Add to basket" form."""

    def post(video, ui_lang="en", token=True, **fields):
        data = dict(fields)
        if token:
            data["csrf_token"] = csrf_token_of(client)
        return client.post(
            f"/videos/{video.id}/basket", data=data, headers={"Accept-Language": ui_lang}
        )

    return post


@pytest.fixture
def post(client):
    """post(url, **fields) with a CSRF token, as the basket page's buttons do."""

    def send(url, ui_lang="en", **fields):
        data = {"csrf_token": csrf_token_of(client), **fields}
        return client.post(url, data=data, headers={"Accept-Language": ui_lang})

    return send

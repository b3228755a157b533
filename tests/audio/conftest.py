"""Fixtures of the audio-track tests: videos whose masters have several audio tracks
(two stereo streams; one 8-channel PCM stream), probed as ingest does, and a staff
client on their edit pages."""

import pytest

from app.media.probe import probe
from tests.basket.conftest import add, post  # noqa: F401  (fixtures)
from tests.clips.conftest import (  # noqa: F401  (fixtures)
    cut_calls,
    downloader,
    logged_in,
    make_video,
    master,
    media_dir,
    post_clip,
)
from tests.helpers import csrf_token, staff_client


@pytest.fixture
def probed_video(make_video, master):  # noqa: F811
    """probed_video(kind) -> a published Video of that master, with its probe stored."""

    def make(kind="two_stereo", **fields):
        return make_video(kind, media_info=probe(master(kind)).to_dict(), **fields)

    return make


@pytest.fixture
def staff(app, make_user):
    client = staff_client(app, make_user)

    def label(video, fields):
        token = csrf_token(client.get(f"/admin/videos/{video.id}").get_data(as_text=True))
        return client.post(
            f"/admin/videos/{video.id}/audio",
            data={"csrf_token": token, **fields},
            headers={"Accept-Language": "en"},
        )

    client.label = label
    return client

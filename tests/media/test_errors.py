"""MediaError carries a stable code and parameters; describe() says it to people."""

import pickle

import pytest

from app.media.errors import ENGLISH, MediaError
from app.media_messages import _sentences, describe


def test_code_params_and_english():
    err = MediaError("undecodable", detail="no picture came out")
    assert err.code == "undecodable"
    assert err.params == {"detail": "no picture came out"}
    assert str(err) == "The video stream could not be decoded: no picture came out."


def test_unknown_code_is_a_programming_error():
    with pytest.raises(ValueError):
        MediaError("The file contains no video stream.")


def test_survives_pickle():
    err = pickle.loads(pickle.dumps(MediaError("frame_not_found", frame=12)))  # noqa: S301 - our own bytes
    assert (err.code, err.params) == ("frame_not_found", {"frame": 12})
    assert str(err) == "Frame 12 cannot be found in the master."


def test_every_code_has_a_sentence():
    assert set(_sentences({})) == set(ENGLISH)


def test_describe_keeps_the_catalogue_sentences():
    assert describe("no_video_stream") == "The file contains no video stream."
    assert describe("unreadable", {"detail": "Invalid data found when processing input"}) == (
        "The file could not be read as a media file (Invalid data found when processing input)."
    )
    assert describe("no_such_code") == describe(None) == "The file could not be read."

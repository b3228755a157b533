"""Download file names: one function for the original, renditions and clips."""

from datetime import date, datetime
from types import SimpleNamespace

import pytest

from app.library.names import download_name


def video(**fields):
    values = {
        "slug": "defence-ministers-meet",
        "recorded_on": date(2026, 3, 14),
        "published_at": datetime(2026, 3, 15, 12, 0),
        "created_at": datetime(2026, 3, 16, 8, 0),
        "original_filename": "A001C003.MXF",
    }
    values.update(fields)
    return SimpleNamespace(**values)


def test_rendition_original_and_clip():
    item = video()
    assert (
        download_name(item, kind="fhd", ext=".mp4") == "2026-03-14_defence-ministers-meet_fhd.mp4"
    )
    # The original keeps the extension it was uploaded with.
    assert (
        download_name(item, kind="original", ext=".bin")
        == "2026-03-14_defence-ministers-meet_original.mxf"
    )
    assert (
        download_name(item, kind="clip", ext="mov", in_tc="10:00:01:05", out_tc="10:00:03;00")
        == "2026-03-14_defence-ministers-meet_10-00-01-05_10-00-03-00.mov"
    )


@pytest.mark.parametrize("kind", ["fhd", "original", "clip"])
def test_one_date_fallback_for_every_kind(kind):
    """Recorded, else published, else created: the two old copies disagreed (a clip fell
    back to the creation date, then to the day of the download; a full download to the
    publication date, then to no date at all)."""
    tcs = {"in_tc": "10:00:00:00", "out_tc": "10:00:01:00"} if kind == "clip" else {}
    recorded = download_name(video(), kind=kind, ext="mp4", **tcs)
    published = download_name(video(recorded_on=None), kind=kind, ext="mp4", **tcs)
    created = download_name(video(recorded_on=None, published_at=None), kind=kind, ext="mp4", **tcs)
    none = download_name(
        video(recorded_on=None, published_at=None, created_at=None), kind=kind, ext="mp4", **tcs
    )
    assert recorded.startswith("2026-03-14_")
    assert published.startswith("2026-03-15_")
    assert created.startswith("2026-03-16_")
    assert none.startswith("defence-ministers-meet_")


def test_names_keep_letters_and_drop_what_could_split_or_hide_a_part():
    item = video(slug="réunion/défense_2 ..", original_filename=None)
    assert download_name(item, kind="hd", ext="MP4") == "2026-03-14_réunion-défense-2_hd.mp4"
    assert download_name(video(slug=""), kind="hd", ext="") == "2026-03-14_video_hd.bin"
    weird = video(original_filename="clip.this-is-not-an-extension")
    assert download_name(weird, kind="original", ext=".mov").endswith("_original.mov")

"""SMPTE timecode of the master, as the clip API reads and writes it."""

from types import SimpleNamespace

import pytest

from app.library.clip_service import SelectionError, duration_text, frame_of, timecode


def video(num=25, den=1, start="10:00:00:00", frames=1000):
    return SimpleNamespace(id=1, fps_num=num, fps_den=den, start_timecode=start, frame_count=frames)


@pytest.mark.parametrize(
    ("frame", "tc"),
    [(0, "10:00:00:00"), (24, "10:00:00:24"), (25, "10:00:01:00"), (25 * 3600, "11:00:00:00")],
)
def test_pal(frame, tc):
    v = video()
    assert timecode(v, frame) == tc
    assert frame_of(v, tc) == frame


@pytest.mark.parametrize(
    ("frame", "tc"),
    [
        (0, "00:00:00;00"),
        (1799, "00:00:59;29"),
        (1800, "00:01:00;02"),  # frames 00 and 01 are dropped at each minute...
        (17981, "00:09:59;29"),
        (17982, "00:10:00;00"),  # ...except every tenth minute
        (107892, "01:00:00;00"),
    ],
)
def test_drop_frame_2997(frame, tc):
    v = video(30000, 1001, "00:00:00;00", 200000)
    assert timecode(v, frame) == tc
    assert frame_of(v, tc) == frame


def test_drop_frame_5994_drops_four():
    v = video(60000, 1001, "00:00:00;00", 10**6)
    assert timecode(v, 3600) == "00:01:00;04"
    assert frame_of(v, "00:01:00;04") == 3600


def test_non_drop_2997_counts_every_frame():
    v = video(30000, 1001, "01:00:00:00", 10**6)
    assert timecode(v, 1800) == "01:01:00:00"


def test_start_timecode_offset_and_midnight():
    v = video(start="23:59:59:00", frames=100)
    assert timecode(v, 25) == "00:00:00:00"
    assert frame_of(v, "00:00:01:00") == 50


@pytest.mark.parametrize(
    "bad", ["", "10:00", "10:61:00:00", "10:00:00:25", "aa:bb:cc:dd", "24:00:00:00"]
)
def test_invalid_timecodes(bad):
    with pytest.raises(SelectionError):
        frame_of(video(), bad)


def test_dropped_labels_do_not_exist():
    with pytest.raises(SelectionError):
        frame_of(video(30000, 1001, "00:00:00;00"), "00:01:00;00")


def test_duration():
    assert duration_text(video(), 27) == "00:00:01:02"


@pytest.mark.parametrize(
    ("num", "den", "start"),
    [
        (25, 1, "10:00:00:00"),
        (30000, 1001, "10:00:00;00"),
        (60000, 1001, "00:59:00;04"),
        (24000, 1001, "01:00:00:00"),
        (30000, 1001, "23:59:00;02"),
    ],
)
def test_agrees_with_the_media_core(num, den, start):
    """The API's timecodes are those of app/media/timecode.py (which timecode.js mirrors)."""
    from fractions import Fraction

    from app.media import timecode as core

    v = video(num, den, start, 10**6)
    rate = Fraction(num, den)
    for frame in list(range(0, 5000, 7)) + [17981, 17982, 107892, 107893]:
        label = core.index_to_tc(frame, start, rate)
        assert timecode(v, frame) == label
        assert frame_of(v, label) == core.tc_to_index(label, start, rate)

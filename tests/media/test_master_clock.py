"""A master's clock (app.media.master_clock.video_clock): frame index <-> what people read and type.

These were the clip API's own timecode tests; the API, the editor, the shot list and the
cut now share this one copy.
"""

from fractions import Fraction

import pytest

from app.media.master_clock import video_clock
from app.media.timecode import (
    TimecodeError,
    index_to_tc,
    label_seconds,
    read_tc,
    tc_to_index,
    valid_label,
)


def clock(num=25, den=1, start="10:00:00:00"):
    return video_clock(Fraction(num, den), start)


@pytest.mark.parametrize(
    ("frame", "tc"),
    [(0, "10:00:00:00"), (24, "10:00:00:24"), (25, "10:00:01:00"), (25 * 3600, "11:00:00:00")],
)
def test_pal(frame, tc):
    c = clock()
    assert c.timecode(frame) == tc
    assert c.index(tc, 1000) == frame


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
    c = clock(30000, 1001, "00:00:00;00")
    assert c.timecode(frame) == tc
    assert c.index(tc, 200000) == frame


def test_drop_frame_5994_drops_four():
    c = clock(60000, 1001, "00:00:00;00")
    assert c.timecode(3600) == "00:01:00;04"
    assert c.index("00:01:00;04", 10**6) == 3600


def test_non_drop_2997_counts_every_frame():
    assert clock(30000, 1001, "01:00:00:00").timecode(1800) == "01:01:00:00"


def test_no_start_timecode_counts_from_zero_non_drop():
    c = video_clock(Fraction(30000, 1001), None)
    assert c.timecode(1800) == "00:01:00:00"
    unreadable = video_clock(25, "ten o'clock")
    assert unreadable.timecode(0) == "00:00:00:00"


def test_start_timecode_offset_and_midnight():
    c = clock(start="23:59:59:00")
    assert c.timecode(25) == "00:00:00:00"
    assert c.index("00:00:01:00", 100) == 50
    # a master that does not cross midnight: an earlier timecode is before its start
    assert clock(start="10:00:00:00").index("09:59:59:24", 100) == -1


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("", "malformed"),
        ("10:00", "malformed"),
        ("aa:bb:cc:dd", "malformed"),
        ("10:61:00:00", "invalid"),
        ("10:00:00:25", "invalid"),
        ("24:00:00:00", "invalid"),
    ],
)
def test_invalid_timecodes(bad, code):
    with pytest.raises(TimecodeError) as caught:
        clock().index(bad, 1000)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)


def test_dropped_labels_do_not_exist():
    with pytest.raises(TimecodeError) as caught:
        clock(30000, 1001, "00:00:00;00").index("00:01:00;00", 1000)
    assert caught.value.code == "dropped"


@pytest.mark.parametrize("typed", ["10:00:01:05", "10.00.01.05", "10:00:01,05", "10:0:1:5"])
def test_typed_spellings(typed):
    assert read_tc(typed, 25) == (10 * 3600 + 1) * 25 + 5


def test_drop_counting_is_the_masters_whatever_the_separator():
    df = clock(30000, 1001, "00:00:00;00")
    assert df.index("00:01:00:02", 10**6) == df.index("00:01:00;02", 10**6) == 1800


def test_duration():
    assert clock().duration(27) == "00:00:01:02"
    assert clock(30000, 1001, "00:00:00;00").duration(1800) == "00:01:00:00"


def test_shot_list_labels():
    assert label_seconds("10:00:01:12", 25) == 36001.48
    assert label_seconds("0:00:05", 25) == 5
    assert label_seconds("later", 25) is None
    assert valid_label("10:00:01:24", 25) and valid_label("10:00:01;59")
    assert not valid_label("10:00:01:25", 25) and not valid_label("10:60:00:00", 25)
    assert not valid_label("1:00:00:00", 25)


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
def test_clock_agrees_with_the_strict_maths(num, den, start):
    """What people read and type is the SMPTE maths the cut stamps (timecode.js mirrors it)."""
    c = clock(num, den, start)
    rate = Fraction(num, den)
    for frame in list(range(0, 5000, 7)) + [17981, 17982, 107892, 107893]:
        label = index_to_tc(frame, start, rate)
        assert c.timecode(frame) == label
        assert c.index(label, 10**6) == tc_to_index(label, start, rate)

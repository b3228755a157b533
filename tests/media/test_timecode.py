"""SMPTE timecode maths (app.media.timecode): pure Python, no media needed."""

from fractions import Fraction

import pytest

from app.media.timecode import (
    Timecode,
    drop_frames_per_minute,
    frames_per_day,
    frames_to_tc,
    index_to_tc,
    is_drop_frame_rate,
    nominal_rate,
    parse_rate,
    parse_tc,
    tc_to_frames,
    tc_to_index,
)

NTSC = Fraction(30000, 1001)
NTSC60 = Fraction(60000, 1001)

pytestmark = pytest.mark.media


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("25", Fraction(25)),
        (25, Fraction(25)),
        ("30000/1001", NTSC),
        ("29.97", NTSC),
        (29.97, NTSC),
        ("59.94", NTSC60),
        ("23.976", Fraction(24000, 1001)),
        ("23.98", Fraction(24000, 1001)),
        ("50", Fraction(50)),
        ("12.5", Fraction(25, 2)),
        (Fraction(24000, 1001), Fraction(24000, 1001)),
    ],
)
def test_parse_rate(text, value):
    assert parse_rate(text) == value


@pytest.mark.parametrize("bad", ["", "abc", "0", "-25", "25/0", "1/x", None, True, [25]])
def test_parse_rate_rejects(bad):
    with pytest.raises(ValueError):
        parse_rate(bad)


def test_nominal_and_drop_rates():
    assert nominal_rate(NTSC) == 30
    assert nominal_rate(Fraction(24000, 1001)) == 24
    assert nominal_rate(25) == 25
    assert is_drop_frame_rate(NTSC) and is_drop_frame_rate(NTSC60)
    assert not is_drop_frame_rate(25) and not is_drop_frame_rate(30)
    assert not is_drop_frame_rate(Fraction(24000, 1001))
    assert drop_frames_per_minute(NTSC) == 2
    assert drop_frames_per_minute(NTSC60) == 4
    with pytest.raises(ValueError, match="drop-frame"):
        drop_frames_per_minute(25)


@pytest.mark.parametrize(
    ("tc", "rate", "frames"),
    [
        ("00:00:00:00", 25, 0),
        ("00:00:01:00", 25, 25),
        ("10:00:00:00", 25, 900000),
        ("23:59:59:24", 25, 24 * 3600 * 25 - 1),
        ("01:00:00:00", 24, 86400),
        ("00:00:59:29", 30, 1799),
        ("10:00:00:00", NTSC, 10 * 3600 * 30),  # NDF at 29.97: plain counting
        # drop-frame 29.97: well-known reference values
        ("00:00:59;29", NTSC, 1799),
        ("00:01:00;02", NTSC, 1800),
        ("00:02:00;02", NTSC, 3598),
        ("00:10:00;00", NTSC, 17982),
        ("00:09:59;29", NTSC, 17981),
        ("01:00:00;00", NTSC, 107892),
        ("10:00:00;00", NTSC, 1078920),
        ("23:59:59;29", NTSC, 2589407),
        # drop-frame 59.94
        ("00:01:00;04", NTSC60, 3600),
        ("00:00:59;59", NTSC60, 3599),
        ("01:00:00;00", NTSC60, 215784),
    ],
)
def test_tc_frames_round_trip(tc, rate, frames):
    assert tc_to_frames(tc, rate) == frames
    drop = ";" in tc
    assert frames_to_tc(frames, rate, drop=drop) == tc


def test_drop_frame_round_trip_every_frame_of_an_hour():
    for n in range(0, 107892 + 200):
        tc = frames_to_tc(n, NTSC)
        assert tc_to_frames(tc, NTSC) == n, tc


def test_drop_frame_skips_labels():
    labels = {frames_to_tc(n, NTSC) for n in range(1795, 1805)}
    assert "00:01:00;00" not in labels and "00:01:00;01" not in labels
    assert "00:01:00;02" in labels
    labels = {frames_to_tc(n, NTSC) for n in range(17980, 17985)}
    assert "00:10:00;00" in labels and "00:10:00;01" in labels


def test_default_drop_follows_rate():
    assert frames_to_tc(1800, NTSC) == "00:01:00;02"
    assert frames_to_tc(1800, NTSC, drop=False) == "00:01:00:00"
    assert frames_to_tc(25, 25) == "00:00:01:00"
    with pytest.raises(ValueError, match="drop-frame"):
        frames_to_tc(25, 25, drop=True)


def test_wraps_at_24_hours():
    assert frames_to_tc(24 * 3600 * 25, 25) == "00:00:00:00"
    assert frames_to_tc(frames_per_day(NTSC), NTSC) == "00:00:00;00"
    assert frames_per_day(NTSC) == 2589408


@pytest.mark.parametrize(
    ("bad", "rate", "message"),
    [
        ("10:00:00", 25, "malformed"),
        ("10:00:00:00:00", 25, "malformed"),
        ("1:00:00:00", 25, "malformed"),
        ("10-00-00-00", 25, "malformed"),
        ("10:00:00.00", 25, "malformed"),
        ("aa:bb:cc:dd", 25, "malformed"),
        ("", 25, "malformed"),
        ("24:00:00:00", 25, "hours"),
        ("10:60:00:00", 25, "minutes"),
        ("10:00:60:00", 25, "seconds"),
        ("10:00:00:25", 25, "frames must be below 25"),
        ("10:00:00:30", NTSC, "frames must be below 30"),
        ("10:00:00;00", 25, "no drop-frame"),
        ("10:01:00;00", NTSC, "does not exist"),
        ("10:01:00;01", NTSC, "does not exist"),
        ("10:01:00;03", NTSC60, "does not exist"),
    ],
)
def test_malformed(bad, rate, message):
    with pytest.raises(ValueError, match=message):
        tc_to_frames(bad, rate)


def test_not_a_string():
    with pytest.raises(ValueError):
        parse_tc(36000, 25)
    with pytest.raises(ValueError):
        frames_to_tc(1.5, 25)


def test_existing_drop_labels_accepted():
    assert parse_tc("10:10:00;00", NTSC) == (10, 10, 0, 0, True)
    assert parse_tc("10:01:00;02", NTSC) == (10, 1, 0, 2, True)
    assert parse_tc(" 10:00:00:00 ", 25) == (10, 0, 0, 0, False)


def test_explicit_drop_mismatch():
    with pytest.raises(ValueError, match="drop-frame"):
        tc_to_frames("10:00:00:00", NTSC, drop=True)
    with pytest.raises(ValueError, match="non-drop"):
        tc_to_frames("10:00:00;00", NTSC, drop=False)


def test_offset_from_start_timecode():
    assert tc_to_index("10:00:00:00", "10:00:00:00", 25) == 0
    assert tc_to_index("10:00:01:05", "10:00:00:00", 25) == 30
    assert index_to_tc(30, "10:00:00:00", 25) == "10:00:01:05"
    assert tc_to_index("10:01:00;02", "10:00:00;00", NTSC) == 1800
    assert index_to_tc(1800, "10:00:00;00", NTSC) == "10:01:00;02"
    assert index_to_tc(1800, "10:00:00:00", NTSC) == "10:01:00:00"  # NDF start stays NDF
    with pytest.raises(ValueError, match="before the start"):
        tc_to_index("09:59:59:24", "10:00:00:00", 25)
    with pytest.raises(ValueError, match="drop-frame"):
        tc_to_index("10:00:01:00", "10:00:00;00", NTSC)  # mixed counting
    with pytest.raises(ValueError):
        index_to_tc(-1, "10:00:00:00", 25)


def test_offset_across_midnight():
    assert tc_to_index("00:00:00:00", "23:59:59:24", 25) == 1
    assert index_to_tc(1, "23:59:59:24", 25) == "00:00:00:00"


def test_timecode_object():
    tc = Timecode("10:00:00;00", NTSC)
    assert str(tc + 1800) == "10:01:00;02"
    assert (tc + 1800) - tc == 1800
    assert str(tc - 1) == "09:59:59;29"
    assert Timecode(900000, 25) == Timecode("10:00:00:00", 25)
    assert repr(Timecode("01:00:00:00", 25)) == "Timecode('01:00:00:00', 25)"
    assert str(Timecode("23:59:59:24", 25) + 1) == "00:00:00:00"
    with pytest.raises(ValueError):
        Timecode(-1, 25)
    assert len({Timecode(1, 25), Timecode(1, 25)}) == 1

"""The shot list seeks the player with the master's timecode, as the probe read it."""

import pytest

from app.library.present import shots
from app.models import Video


def master(start="10:00:00:00", row_start=None, fps=(25, 1), duration=60.0):
    return Video(
        fps_num=fps[0],
        fps_den=fps[1],
        duration=duration,
        start_timecode=row_start,
        media_info={"start_timecode": start} if start else {},
    )


def seconds(video, text):
    return [shot.seconds for shot in shots(video, text)]


def test_master_timecodes_and_times_from_the_start_both_seek():
    video = master()
    text = "10:00:00:00 WIDE\n10:00:05:12 SOUNDBITE\n00:00:07:00 CLOSE-UP\n\nno timecode here"
    found = shots(video, text)
    assert [s.timecode for s in found] == ["10:00:00:00", "10:00:05:12", "00:00:07:00", ""]
    assert [s.seconds for s in found] == [0.0, pytest.approx(5.48), 7.0, None]
    assert found[3].description == "no timecode here"


def test_the_probe_start_timecode_wins_over_the_rows_copy():
    video = master(start="10:00:00:00", row_start="09:59:00:00")
    assert seconds(video, "10:00:02:00 SHOT") == [2.0]


def test_the_rows_copy_serves_older_probes():
    video = master(start=None, row_start="01:00:00:00")
    assert seconds(video, "01:00:03:00 SHOT") == [3.0]


def test_drop_frame_masters_count_in_real_time():
    video = master(start="01:00:00;00", fps=(30000, 1001), duration=120.0)
    # 01:01:00;02 comes 1800 frames after 01:00:00;00 (labels ;00 and ;01 are skipped),
    # at 29.97 frames a second: 60.06 s, where reading the label gives 60.07 s.
    [value] = seconds(video, "01:01:00:02 SHOT")
    assert value == pytest.approx(1800 * 1001 / 30000)


def test_timecodes_outside_the_video_are_shown_not_clickable():
    video = master(duration=10.0)
    found = shots(video, "11:00:00:00 LATER\n10:00:08 NO FRAMES")
    assert found[0].seconds is None and found[0].timecode == "11:00:00:00"
    assert found[1].seconds == 8.0 and found[1].timecode == "10:00:08"

"""Caption files read, checked, written and cut (no database)."""

import pytest

from app.captions import cues

SRT = """1
00:00:01,000 --> 00:00:02,500
Bonjour à <i>tous</i>.

2
00:00:03,000 --> 00:00:04,000
Deuxième ligne
sur deux lignes
""".encode()

VTT = b"""WEBVTT - made by hand

NOTE a comment

intro
00:01.000 --> 00:02.500 align:start
Hello <b>all</b>.
"""


def test_srt_and_webvtt_are_read_into_the_same_cues():
    srt, vtt = cues.parse(SRT), cues.parse(VTT)
    assert [(c.start, c.end) for c in srt] == [(1000, 2500), (3000, 4000)]
    assert srt[1].text == "Deuxième ligne\nsur deux lignes"
    assert [(c.start, c.end, c.plain) for c in vtt] == [(1000, 2500, "Hello all.")]
    assert srt[0].line == 2 and vtt[0].line == 6


def test_written_back_as_webvtt_and_srt():
    parsed = cues.parse(SRT)
    vtt = cues.to_vtt(parsed)
    assert vtt.startswith("WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nBonjour à <i>tous</i>.")
    assert cues.parse(vtt.encode()) == [
        cues.Cue(c.start, c.end, c.text, line) for c, line in zip(parsed, (3, 6), strict=True)
    ]
    srt = cues.to_srt(parsed)
    assert srt.startswith("1\r\n00:00:01,000 --> 00:00:02,500\r\nBonjour à <i>tous</i>.\r\n")


def test_windows_1252_files_are_read():
    body = "1\n00:00:01,000 --> 00:00:02,000\nDéfense\n".encode("cp1252")
    assert cues.parse(body)[0].text == "Défense"


def test_every_problem_is_reported_with_its_line():
    body = b"""1
00:00:01,000 --> 00:00:00,500
backwards

2
00:00:xx,000 --> 00:00:03,000
bad timing

3
no timing here
"""
    with pytest.raises(cues.CaptionProblems) as caught:
        cues.parse(body)
    assert [line for line, _message in caught.value.problems] == [2, 6, 9]


def test_cues_beyond_the_video_or_overlapping_are_refused_unless_allowed():
    body = b"""1
00:00:01,000 --> 00:00:03,000
one

2
00:00:02,000 --> 00:00:04,000
two
"""
    parsed = cues.parse(body)
    with pytest.raises(cues.CaptionProblems) as overlap:
        cues.check(parsed, 10_000)
    assert overlap.value.problems[0][0] == 6
    assert len(cues.check(parsed, 10_000, allow_overlap=True)) == 2
    with pytest.raises(cues.CaptionProblems) as beyond:
        cues.check(parsed, 3_500, allow_overlap=True)
    assert beyond.value.problems[0][0] == 6


def test_a_file_timed_in_the_master_timecode_is_moved_to_its_first_frame():
    body = b"1\n10:00:01.000 --> 10:00:02.000\nOne\n"
    (cue,) = cues.to_master_timeline(cues.parse(body), 36_000_000)
    assert (cue.start, cue.end) == (1000, 2000)
    relative = cues.parse(b"1\n00:00:01.000 --> 00:00:02.000\nOne\n")
    assert cues.to_master_timeline(relative, 36_000_000) == relative


def test_a_cut_keeps_what_is_seen_in_the_range_from_zero():
    parsed = cues.parse(SRT)
    cut = cues.cut(parsed, 2000, 3500)
    assert [(c.start, c.end) for c in cut] == [(0, 500), (1000, 1500)]
    assert cues.cut(parsed, 5000, 6000) == []


@pytest.mark.parametrize("body", [b"", b"WEBVTT\n", b"\xff\xfe\x00garbage", b"1\n2\n3\n"])
def test_files_without_cues_are_refused(body):
    with pytest.raises(cues.CaptionProblems):
        cues.parse(body)

"""Caption files read, checked and written: WebVTT and SRT in, WebVTT and SRT out.

Times are milliseconds from the master's first frame. A file timed from the master's
start timecode (its first cue at 10:00:00.000 for a master that starts at 10:00:00:00)
is moved back by that offset, so staff may upload either. Problems are reported with
the line they were found on, every one of them, so that one upload shows them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

MAX_BYTES = 2 * 1024 * 1024
MAX_CUES = 20_000
MAX_PROBLEMS = 20

# 00:01:02.500, 01:02.500 (WebVTT), 00:01:02,500 (SRT)
_TIME = r"(?:(\d{1,3}):)?([0-5]\d):([0-5]\d)[.,](\d{3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s+-->\s+{_TIME}(?:\s+.*)?$")
_TAG = re.compile(r"<[^>]*>")


@dataclass
class Cue:
    start: int  # ms
    end: int  # ms, exclusive
    text: str  # the cue's lines, WebVTT markup kept
    line: int  # line of its timing in the uploaded file

    @property
    def plain(self) -> str:
        """The text without markup, on one line (search, snippets)."""
        return " ".join(_TAG.sub("", self.text).split())


class CaptionProblems(ValueError):
    """The file cannot be taken: `problems` is a list of (line or None, message)."""

    def __init__(self, problems):
        super().__init__("; ".join(str(m) for _line, m in problems))
        self.problems = problems


def _ms(hours, minutes, seconds, millis) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise CaptionProblems([(None, _l("A caption file may weigh 2 MB at most."))])
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CaptionProblems([(None, _l("The file is not text in UTF-8 or Windows-1252."))])


def _blocks(lines):
    """(first line number, lines) of each block of non-empty lines."""
    block, start = [], 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def parse(data: bytes) -> list[Cue]:
    """The cues of a WebVTT or SRT file, in file order. CaptionProblems if unreadable."""
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    webvtt = lines[0].strip().startswith("WEBVTT")
    cues, problems = [], []
    for start, block in _blocks(lines):
        if webvtt and start == 1:
            continue  # the WEBVTT header block
        if webvtt and block[0].split(" ", 1)[0] in ("NOTE", "STYLE", "REGION"):
            continue
        timing_at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if timing_at is None:
            problems.append((start, _l("A cue without a timing line (00:00:01.000 --> …).")))
            continue
        number = start + timing_at
        match = _TIMING.match(block[timing_at])
        if not match:
            problems.append((number, _l("This timing line cannot be read.")))
            continue
        begin, end = _ms(*match.groups()[:4]), _ms(*match.groups()[4:])
        if end <= begin:
            problems.append((number, _l("This cue ends before it starts.")))
            continue
        body = "\n".join(line.rstrip() for line in block[timing_at + 1 :])
        if not body.strip():
            problems.append((number, _l("This cue has no text.")))
            continue
        cues.append(Cue(begin, end, body, number))
        if len(cues) > MAX_CUES:
            problems.append((number, _l("A caption file may hold 20,000 cues at most.")))
            break
    if not cues and not problems:
        problems.append((None, _l("The file holds no cue: is it WebVTT or SRT?")))
    if problems:
        raise CaptionProblems(problems[:MAX_PROBLEMS])
    return cues


def to_master_timeline(cues, start_timecode_ms: int) -> list[Cue]:
    """Cues timed from the master's start timecode, moved to its first frame; others as
    they are."""
    if start_timecode_ms <= 0 or not cues or min(c.start for c in cues) < start_timecode_ms:
        return cues
    return [
        Cue(c.start - start_timecode_ms, c.end - start_timecode_ms, c.text, c.line) for c in cues
    ]


def check(cues, duration_ms: int, allow_overlap: bool = False) -> list[Cue]:
    """The cues sorted by start; CaptionProblems when one lies beyond the video or, unless
    allowed, overlaps the one before it."""
    problems = []
    ordered = sorted(cues, key=lambda c: (c.start, c.end))
    for before, cue in zip([None, *ordered], ordered, strict=False):
        if duration_ms and cue.end > duration_ms:
            problems.append(
                (
                    cue.line,
                    _l(
                        "This cue ends after the end of the video (%(end)s).",
                        end=clock(duration_ms),
                    ),
                )
            )
        elif before is not None and not allow_overlap and cue.start < before.end:
            problems.append(
                (
                    cue.line,
                    _l(
                        "This cue starts before the previous one ends (line %(line)d).",
                        line=before.line,
                    ),
                )
            )
    if problems:
        raise CaptionProblems(problems[:MAX_PROBLEMS])
    return ordered


def clock(ms: int, separator: str = ".") -> str:
    hours, rest = divmod(int(ms), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def to_vtt(cues) -> str:
    blocks = [f"{clock(c.start)} --> {clock(c.end)}\n{c.text}" for c in cues]
    return "WEBVTT\n\n" + "".join(b + "\n\n" for b in blocks)


def to_srt(cues) -> str:
    """SRT keeps no WebVTT markup but <b>, <i>, <u> (which players of SRT read)."""
    blocks = []
    for number, c in enumerate(cues, start=1):
        text = re.sub(r"<(?!/?[biu]>)[^>]*>", "", c.text)
        blocks.append(f"{number}\n{clock(c.start, ',')} --> {clock(c.end, ',')}\n{text}")
    return "\r\n".join("\n\n".join(blocks).split("\n")) + "\r\n"


def cut(cues, start_ms: int, end_ms: int) -> list[Cue]:
    """The cues seen in [start_ms, end_ms), cut at its ends and moved so that start_ms is 0
    (a clip's sidecar: its first frame is the clip's 0)."""
    kept = []
    for c in cues:
        if c.end <= start_ms or c.start >= end_ms:
            continue
        kept.append(
            Cue(max(c.start, start_ms) - start_ms, min(c.end, end_ms) - start_ms, c.text, c.line)
        )
    return kept


def read_vtt(text: str) -> list[Cue]:
    """The cues of a WebVTT text this module wrote (what the database keeps)."""
    return parse(text.encode("utf-8")) if text.strip() != "WEBVTT" else []

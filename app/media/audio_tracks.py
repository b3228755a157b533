"""The audio tracks of a master people choose from, and their keys.

A *track* is what a newsroom asks for by name: an audio stream ("international sound",
"French voice-over"), or, in a PCM stream of more than two channels (the 8 channels of
a ProRes or XDCAM master), a pair of its channels.  Keys name them in URLs, the API and
the clip cache, 1-based as people count:

* ``"2"``: the second audio stream, whole;
* ``"1:3-4"``: channels 3 and 4 of the first audio stream (``"1:7"``: channel 7 alone,
  the last of an odd count).

A choice of tracks is kept in its canonical form (:func:`canonical`): in the master's
order, and "" when it is every track, so that the same audio asked in any order, or not
asked at all, is the same clip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.media.cut.master import output_format
from app.media.cut.picks import AudioPick, sliced
from app.media.info import AudioStreamInfo, MediaInfo

_KEY = re.compile(r"(\d{1,2})(?::(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass(frozen=True)
class Track:
    key: str
    number: int  # the audio stream's number, 1-based
    stream: AudioStreamInfo
    channels: tuple[int, ...] | None  # 0-based channels of the stream; None: all of it

    @property
    def pick(self) -> AudioPick:
        return AudioPick(self.stream.index, self.channels)


def _channel_key(number: int, channels: tuple[int, ...]) -> str:
    first, last = channels[0] + 1, channels[-1] + 1
    return f"{number}:{first}" if first == last else f"{number}:{first}-{last}"


def tracks(info: MediaInfo, master_path: str) -> list[Track]:
    """The tracks of the master: each audio stream, or the channel pairs of a PCM
    stream of more than two channels (those the cut can take apart, bit-exact)."""
    fmt, _ext = output_format(master_path, info.container)
    found = []
    for number, stream in enumerate(info.audio, start=1):
        if stream.channels > 2 and sliced(stream.codec, fmt):
            for first in range(0, stream.channels, 2):
                channels = tuple(range(first, min(first + 2, stream.channels)))
                found.append(Track(_channel_key(number, channels), number, stream, channels))
        else:
            found.append(Track(str(number), number, stream, None))
    return found


class UnknownTrack(ValueError):
    """A key that names no track of this master."""

    def __init__(self, key):
        super().__init__(key)
        self.key = key


def parse_key(text: str) -> tuple[int, tuple[int, ...] | None]:
    """(stream number, 0-based channels or None) of a key; UnknownTrack if unreadable."""
    match = _KEY.fullmatch(str(text).strip())
    if not match:
        raise UnknownTrack(text)
    number = int(match.group(1))
    if match.group(2) is None:
        return number, None
    first = int(match.group(2))
    last = int(match.group(3) or first)
    if first < 1 or last < first:
        raise UnknownTrack(text)
    return number, tuple(range(first - 1, last))


def canonical(keys, available: list[Track]) -> str:
    """The choice ``keys`` as one string: its tracks in the master's order, joined by
    commas; "" for every track.  UnknownTrack for a key that is no track of the master
    (a stream number it lacks, channels that are not one of its pairs)."""
    by_key = {t.key: t for t in available}
    chosen = set()
    for key in keys:
        number, channels = parse_key(key)
        normal = str(number) if channels is None else _channel_key(number, channels)
        if normal not in by_key:
            raise UnknownTrack(key)
        chosen.add(normal)
    if chosen == set(by_key):
        return ""
    return ",".join(t.key for t in available if t.key in chosen)


def picks(choice: str, available: list[Track]) -> list[AudioPick] | None:
    """What the cut carries for a canonical choice: None (every stream) for "", else
    a pick per chosen track, the pairs of a stream all chosen joined into it whole."""
    if not choice:
        return None
    chosen = set(choice.split(","))
    result: list[AudioPick] = []
    for number in dict.fromkeys(t.number for t in available):
        of_stream = [t for t in available if t.number == number]
        taken = [t for t in of_stream if t.key in chosen]
        if taken and len(taken) == len(of_stream):
            result.append(AudioPick(of_stream[0].stream.index))
        else:
            result.extend(t.pick for t in taken)
    return result

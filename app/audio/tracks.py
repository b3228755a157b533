"""The audio tracks of a video as people see them, and a choice of them read from a request.

A choice travels as the field ``audio``: repeated check boxes in a form, a list of keys
(or one string of keys joined by commas) in JSON.  Absent, it is every track.  It is
kept canonical (app.media.audio_tracks.canonical), so that the clip cache shares one
file per choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.i18n import current_language
from app.media import audio_tracks
from app.media.cut.picks import AudioPick
from app.media.info import AudioStreamInfo

#: More keys than any master has tracks: the rest of such a list is not read.
_MAX_KEYS = 64


class AudioChoiceError(ValueError):
    """A choice of tracks the user has to correct: the message is translated."""


@dataclass
class ShownTrack:
    key: str
    number: int  # its audio stream's, 1-based
    whole: bool  # the whole stream (else some of its channels)
    name: str  # "Audio 2", "Audio 1, channels 3–4"
    label: str  # what staff call it, in the page's language ("" when unnamed)
    detail: str  # its format: "PCM stereo 24 bits 48 kHz [fra]", or its channels' names
    language: str | None  # the stream's language tag, if the container has one

    @property
    def title(self) -> str:
        """The name and the label, as a choice is listed."""
        return f"{self.name} — {self.label}" if self.label else self.name


def available(video) -> list[audio_tracks.Track]:
    """The master's tracks (none while it has not been probed)."""
    info = video.probe_info()
    if info is None or not video.master_path:
        return []
    return audio_tracks.tracks(info, video.master_path)


def labels_of(video) -> dict[str, dict[str, str]]:
    """track key -> language -> label."""
    labels: dict[str, dict[str, str]] = {}
    for row in video.audio_labels:
        labels.setdefault(row.track, {})[row.lang] = row.label
    return labels


def _label(by_lang: dict[str, str], lang: str) -> str:
    """The label in ``lang``, else in any language staff wrote one in."""
    return by_lang.get(lang) or next((text for text in by_lang.values() if text), "")


def track_name(track: audio_tracks.Track) -> str:
    if track.channels is None:
        return _("Audio %(n)d", n=track.number)
    first, last = track.channels[0] + 1, track.channels[-1] + 1
    if first == last:
        return _("Audio %(n)d, channel %(channel)d", n=track.number, channel=first)
    return _("Audio %(n)d, channels %(first)d–%(last)d", n=track.number, first=first, last=last)


def codec_name(codec: str) -> str:
    if codec.startswith("pcm_"):
        return "PCM"
    return {"aac": "AAC", "mp2": "MPEG-1 Layer II", "mp3": "MP3", "ac3": "AC-3"}.get(
        codec, codec.upper()
    )


def stream_text(stream: AudioStreamInfo) -> str:
    """ "PCM stereo 24 bits 48 kHz [fra]": an audio stream's format."""
    layout = stream.channel_layout or _("%(n)d channels", n=stream.channels)
    bits = f" {stream.bit_depth}\u00a0bits" if stream.bit_depth else ""
    rate = (
        f" {format_decimal(stream.sample_rate / 1000, format='#,##0.#')}\u00a0kHz"
        if stream.sample_rate
        else ""
    )
    lang = f" [{stream.language}]" if stream.language else ""
    return f"{codec_name(stream.codec)} {layout}{bits}{rate}{lang}"


def _detail(track: audio_tracks.Track) -> str:
    if track.channels is None:
        return stream_text(track.stream)
    names = track.stream.channel_names
    if len(names) == track.stream.channels:
        return " ".join(names[c] for c in track.channels)
    return ""


def shown(video, lang: str | None = None) -> list[ShownTrack]:
    """Every track of the video, named and labelled in ``lang`` (the page's)."""
    lang = lang or current_language()
    labels = labels_of(video)
    return [
        ShownTrack(
            key=t.key,
            number=t.number,
            whole=t.channels is None,
            name=track_name(t),
            label=_label(labels.get(t.key, {}), lang),
            detail=_detail(t),
            language=t.stream.language,
        )
        for t in available(video)
    ]


def _keys(data) -> list[str] | None:
    """The keys a form or JSON body names; None when it names no choice."""
    if hasattr(data, "getlist"):  # a form: one check box per track
        keys = [k for k in data.getlist("audio") if isinstance(k, str)]
        return keys or None
    value = data.get("audio") if isinstance(data, dict) else None
    if value is None:
        return None
    if isinstance(value, str):
        value = [k for k in value.split(",") if k.strip()]
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise AudioChoiceError(_('“audio” must be a list of audio track keys, such as "1".'))
    if not value:
        raise AudioChoiceError(_("Choose at least one audio track."))
    return value[:_MAX_KEYS]


def choice_from(video, data) -> str:
    """The canonical choice of tracks a request makes ("" for every track);
    AudioChoiceError, translated, for a key that is no track of this video."""
    keys = _keys(data)
    if keys is None:
        return ""
    available_tracks = available(video)
    try:
        return audio_tracks.canonical(keys, available_tracks)
    except audio_tracks.UnknownTrack as unknown:
        raise AudioChoiceError(
            _("This video has no audio track “%(key)s”.", key=str(unknown.key)[:20])
        ) from None


def picks(video, choice: str) -> list[AudioPick] | None:
    """What the cut carries for a stored choice (None: every stream); AudioChoiceError
    when none of its tracks is the master's any more."""
    if not choice:
        return None
    chosen = audio_tracks.picks(choice, available(video))
    if not chosen:
        raise AudioChoiceError(_("This video has no audio track “%(key)s”.", key=choice[:20]))
    return chosen


def choice_names(video, choice: str, lang: str | None = None) -> list[str]:
    """The tracks of a choice as people read them (empty for every track)."""
    if not choice:
        return []
    wanted = choice.split(",")
    return [t.title for t in shown(video, lang) if t.key in wanted]


def for_api(video) -> list[dict]:
    """The tracks as the API lists them: the key a clip request names, the stream and
    channels (1-based), the format, and the staff labels in every language."""
    labels = labels_of(video)
    result = []
    for t in available(video):
        channels = t.channels if t.channels is not None else range(t.stream.channels)
        result.append(
            {
                "key": t.key,
                "stream": t.number,
                "channels": [c + 1 for c in channels],
                "codec": t.stream.codec,
                "sample_rate": t.stream.sample_rate or None,
                "layout": t.stream.channel_layout if t.channels is None else None,
                "language": t.stream.language,
                "labels": dict(sorted(labels.get(t.key, {}).items())),
            }
        )
    return result

"""The demo content follows the house rules: shot lists in each master's timecode."""

import pytest

from app.demo import DEMOS
from app.media.master_clock import video_clock


@pytest.mark.parametrize("spec", DEMOS, ids=[d["file"] for d in DEMOS])
def test_demo_shot_lists_are_in_the_masters_timecode(spec):
    clock = video_clock(25, spec.get("timecode"))
    frames = int(spec["seconds"] * 25)
    for lang, texts in spec["texts"].items():
        for line in texts["shot_list"].splitlines():
            label = line.split(" ", 1)[0]
            assert 0 <= clock.index(label, frames) < frames, (lang, line)
            if lang == "fr":
                assert "SOUNDBITE" not in line  # « SONORE » in French

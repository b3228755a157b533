"""The picture filters of the renditions: one FFmpeg filter graph feeding every rung.

    source -> [bwdif if interlaced] -> split -> scale -> yuv420p -> SAR 1      (progressive)
           -> split -> scale (field by field if interlaced) -> [interlace 50p to 25i]
                    -> yuv420p -> SAR of the master's shape -> fields top first  (SD 576i25)

A plan (app.media.renditions) gives its spec, size, rate and SAR, and gets its sink.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import av

from .info import MediaInfo


def video_graph(frame, info: MediaInfo, plans: list, time_base: Fraction):
    """One graph for every plan: the progressive rungs share one deinterlacer (when the
    master is interlaced); an interlaced rung takes the master's own fields."""
    graph = av.filter.Graph()
    src = graph.add_buffer(
        width=frame.width,
        height=frame.height,
        format=frame.format,
        time_base=time_base,
    )
    fields = [p for p in plans if p.spec.interlaced]
    progressive = [p for p in plans if not p.spec.interlaced]
    heads = _fan(graph, src, 0, (len(progressive) > 0) + (len(fields) > 0))
    if progressive:
        head, pad = heads.pop(0)
        if info.interlaced:
            deint = graph.add("bwdif", "mode=send_frame:parity=auto:deint=all")
            head.link_to(deint, pad, 0)
            head, pad = deint, 0
        for plan, branch in zip(progressive, _fan(graph, head, pad, len(progressive)), strict=True):
            _chain(graph, branch, plan, [("scale", f"{plan.width}:{plan.height}:flags=bicubic")])
    if fields:
        head, pad = heads.pop(0)
        for plan, branch in zip(fields, _fan(graph, head, pad, len(fields)), strict=True):
            _chain(graph, branch, plan, _field_filters(plan, info))
    graph.configure()
    return graph, src


def _fan(graph, head, pad: int, count: int) -> list[tuple[Any, int]]:
    """`count` outputs of (head, pad): itself, or a split."""
    if count <= 1:
        return [(head, pad)] * count
    split = graph.add("split", str(count))
    head.link_to(split, pad, 0)
    return [(split, index) for index in range(count)]


# A 50p picture sequence A B C D… as fields: A's top lines, B's bottom lines, C's top…
# (the interlace filter does this, but PyAV's LGPL FFmpeg lacks it).
_WEAVE_50P = [
    ("separatefields", None),
    ("select", "expr=eq(mod(n\\,4)\\,0)+eq(mod(n\\,4)\\,3)"),
    ("weave", "first_field=top"),
]


def _field_filters(plan, info: MediaInfo) -> list[tuple[str, str | None]]:
    """The scaling of an interlaced rung: an interlaced master is scaled field by field;
    a master at twice the rung's rate gives each frame's two fields from two of its
    pictures; a progressive one at the rung's rate is coded as fields as it is."""
    scale = ("scale", f"{plan.width}:{plan.height}:flags=bicubic:interl={int(info.interlaced)}")
    if info.frame_rate == 2 * plan.rate:
        return [scale, *_WEAVE_50P]
    return [scale]


def _chain(graph, branch: tuple[Any, int], plan, filters: list[tuple[str, str | None]]) -> None:
    """filters -> yuv420p -> the plan's SAR -> its sink."""
    head, pad = branch
    steps = [*filters, ("format", "yuv420p")]
    steps.append(("setsar", f"{plan.sar.numerator}/{plan.sar.denominator}"))
    if plan.spec.interlaced:
        steps.append(("setfield", "tff"))  # libx264 codes each frame in its flagged order
    for name, args in steps:
        node = graph.add(name, args)
        head.link_to(node, pad, 0)
        head, pad = node, 0
    plan.sink = graph.add("buffersink")
    head.link_to(plan.sink, pad, 0)

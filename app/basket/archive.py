"""The basket as one ZIP, streamed as it is built (zipstream-ng).

Files are STORED (video and pictures do not compress, and the bytes leave as they are
kept); the stream reads each file in blocks, so memory stays flat whatever the size and
no copy of the archive is written anywhere. The stream is *sized*: its length is known
before the first byte, so the answer carries Content-Length (and a browser shows real
progress). It does not honour Range (`Accept-Ranges: none`): the entries' timestamps
come from the files, and a range would need the whole stream rebuilt up to it.

manifest.csv and manifest.json list each file with its source video, master timecodes,
credit and usage terms.
"""

from __future__ import annotations

import csv
import io
import json

import zipstream

from app.basket.files import frames_of, timecodes

MANIFEST_FIELDS = (
    "file",
    "kind",
    "video_id",
    "title",
    "tc_in",
    "tc_out",
    "frames",
    "credit",
    "usage_terms",
)


def manifest_rows(entries, lang):
    rows = []
    for entry in entries:
        item = entry.item
        video = item.video
        texts = video.text(lang)
        tc_in, tc_out = timecodes(item)
        rows.append(
            {
                "file": entry.arcname,
                "kind": entry.kind or (item.rendition if item.kind == "rendition" else item.kind),
                "video_id": video.id,
                "title": texts.title if texts else "",
                "tc_in": tc_in,
                "tc_out": tc_out,
                "frames": frames_of(item),
                "credit": video.credit or "",
                "usage_terms": video.terms(lang),
            }
        )
    return rows


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MANIFEST_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    # A byte order mark: spreadsheet programs then read the accents right.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def build(entries, lang, name=""):
    """A sized, STORED ZipStream of `entries` and the two manifests."""
    stream = zipstream.ZipStream(compress_type=zipstream.ZIP_STORED, sized=True)
    for entry in entries:
        if entry.data is not None:
            stream.add(entry.data, entry.arcname)
        else:
            stream.add_path(str(entry.path), entry.arcname)
    rows = manifest_rows(entries, lang)
    stream.add(_csv(rows), "manifest.csv")
    body = {"basket": name, "files": rows}
    stream.add(json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8"), "manifest.json")
    return stream


def sent_per_entry(entries, bytes_sent):
    """How many bytes of each entry's file had left when `bytes_sent` bytes of the ZIP
    had (entries in order; headers counted against the entry they precede)."""
    result = []
    left = bytes_sent
    for entry in entries:
        size = entry.size
        result.append(max(0, min(size, left)))
        left -= size
    return result

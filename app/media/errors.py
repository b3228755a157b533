"""Errors raised by the media ingest core (`app.media`)."""

from __future__ import annotations


class MediaError(Exception):
    """A master cannot be ingested, or a derivative cannot be made from it.

    The message is a complete English sentence naming what is wrong (for example
    "The file contains no video stream."), written so that the app can show it to the
    uploader as the reason an upload was refused.  `reason` is the same text.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.reason = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.reason

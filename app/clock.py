"""The one place the app asks for the time, so that tests can move the clock."""

from datetime import UTC, datetime, timedelta

# Moved by tests only (tests/conftest.py "clock" fixture); always zero in service.
_offset = timedelta(0)


def utcnow():
    # Naive UTC: SQLite stores no time zone, so every datetime in the database is naive UTC.
    return datetime.now(UTC).replace(tzinfo=None) + _offset

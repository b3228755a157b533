"""The account tests use the library's videos and verified user (the history lists them)."""

from tests.library.conftest import make_video, verified  # noqa: F401 - fixtures

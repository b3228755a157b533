"""The script tests reuse the library tests' videos (texts, shot list, probe result)."""

from tests.library.conftest import make_video  # noqa: F401  (fixture)

"""The stills tests reuse the clip tests' published video with a real master."""

from tests.clips.conftest import downloader, logged_in, make_video  # noqa: F401  (fixtures)
from tests.mediagen import master, media_dir  # noqa: F401  (fixtures)

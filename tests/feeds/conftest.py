from tests.api.conftest import api_token, bearer, library_video, token_of  # noqa: F401
from tests.clips.conftest import downloader, make_video, master, media_dir  # noqa: F401

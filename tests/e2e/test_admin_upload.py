"""Chromium: a staff member uploads a master through the page and sees it become ready."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Video
from tests.conftest import PASSWORD
from tests.mediagen import master, media_dir  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _private_upload_dir(app_config, tmp_path):
    app_config["UPLOAD_DIR"] = str(tmp_path / "uploads")


def _log_in(page, live_server, email):
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_staff_uploads_a_master_and_sees_it_ready(app, page, live_server, make_user, master):  # noqa: F811
    make_user(email="staff@example.org", staff=True)
    _log_in(page, live_server, "staff@example.org")
    page.goto(live_server.url + "/admin/upload")
    page.set_input_files("#upload-files", str(master("h264_closed")))

    item = page.locator(".upload-item")
    item.locator(".upload-name").wait_for()
    assert item.locator(".upload-name").inner_text() == "h264_closed.mp4"
    # The last chunk's answer comes once the file has been checked (and, in tests,
    # processed: huey runs immediately), then the row links to the edit page.
    edit = item.locator("a", has_text="Décrire cette vidéo")
    edit.wait_for(timeout=60000)
    assert page.locator(".upload-item[data-state=done]").count() == 1
    assert page.evaluate("document.querySelector('.upload-progress').value") == 100

    video = db.session.execute(db.select(Video)).scalar_one()
    assert edit.get_attribute("href") == f"/admin/videos/{video.id}"
    page.goto(live_server.url + "/admin/videos")
    row = page.locator(f"[data-video-id='{video.id}']")
    assert row.get_attribute("data-status") == "ready"
    assert row.locator("[data-role=status-label]").inner_text().strip().lower() == "prête"
    assert row.locator("img[data-role=poster]").count() == 1

    page.goto(live_server.url + f"/admin/videos/{video.id}")
    assert "h264_closed.mp4" in page.locator(".admin-facts").inner_text()


def test_a_non_video_is_refused_on_the_page(app, page, live_server, make_user, master):  # noqa: F811
    make_user(email="staff@example.org", staff=True)
    _log_in(page, live_server, "staff@example.org")
    page.goto(live_server.url + "/admin/upload")
    page.set_input_files("#upload-files", str(master("not_video")))
    error = page.locator(".upload-item[data-state=error] .upload-state")
    error.wait_for()
    assert "n'est pas une vidéo" in error.inner_text()
    assert db.session.execute(db.select(Video)).first() is None


def test_the_list_refreshes_by_itself(app, page, live_server, make_user):
    make_user(email="staff@example.org", staff=True)
    video = Video(status="processing", progress=0.25, original_filename="busy.mov")
    db.session.add(video)
    db.session.commit()
    _log_in(page, live_server, "staff@example.org")
    page.goto(live_server.url + "/admin/videos")
    page.evaluate("window.__notReloaded = true")
    row = page.locator(f"[data-video-id='{video.id}']")
    assert row.locator("progress").get_attribute("value") == "25"
    publish = row.locator("[data-role=publish]")
    assert publish.is_disabled()

    video.progress = 0.6
    db.session.commit()
    expect(row.locator("progress")).to_have_attribute("value", "60")
    video.status = "failed"
    video.error = "The file contains no video stream."
    db.session.commit()
    row.locator("[data-role=error]").wait_for()
    assert row.get_attribute("data-status") == "failed"
    assert row.locator("[data-role=retry]").is_visible()
    assert page.evaluate("window.__notReloaded === true")  # updated in place


@pytest.fixture
def small_chunks(app_config):
    # A 1.1 MB master in 128 KiB pieces: several PATCH requests to pause between.
    app_config["UPLOAD_CHUNK_BYTES"] = 128 * 1024


def _server_offset():
    from app.ingest.store import Upload

    (upload,) = list(Upload.all())
    return upload.offset


def test_an_upload_pauses_resumes_survives_a_reload_and_a_dropped_connection(
    small_chunks,
    app,
    page,
    live_server,
    make_user,
    master,  # noqa: F811
):
    import hashlib
    from pathlib import Path

    from app import storage

    source = master("h264_closed")
    make_user(email="staff@example.org", staff=True)
    _log_in(page, live_server, "staff@example.org")
    requests = []  # (method, Upload-Offset) of every tus request the page sends
    page.on(
        "request",
        lambda r: (
            "/admin/uploads/" in r.url
            and requests.append((r.method, r.headers.get("upload-offset")))
        ),
    )
    heads = []  # the offsets the server answered to HEAD (where to go on from)
    page.on(
        "response",
        lambda r: (
            r.request.method == "HEAD"
            and "/admin/uploads/" in r.url
            and heads.append(int(r.headers["upload-offset"]))
        ),
    )
    # A slow line (256 kB/s up), so that the upload can be caught in the middle.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    slow = {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 262144}
    network.send("Network.emulateNetworkConditions", slow)

    def upload_page_with_file():
        page.goto(live_server.url + "/admin/upload")
        page.set_input_files("#upload-files", str(source))
        return page.locator(".upload-item")

    def patches_since(mark):
        return [int(offset) for method, offset in requests[mark:] if method == "PATCH"]

    def wait_for_progress(percent):
        page.wait_for_function(
            f"() => document.querySelector('.upload-progress').value >= {percent}"
        )

    item = upload_page_with_file()
    wait_for_progress(15)
    item.get_by_role("button", name="Pause").click()
    expect(item).to_have_attribute("data-state", "paused")
    assert "En pause" in item.locator(".upload-state").inner_text()
    assert 0 < _server_offset() < source.stat().st_size

    mark = len(requests)
    item.get_by_role("button", name="Reprendre").click()
    wait_for_progress(35)
    # It asked the server where it stood and went on from there, not from zero.
    assert [method for method, _ in requests[mark:]][:2] == ["HEAD", "PATCH"]
    assert patches_since(mark)[0] == heads[-1] > 0
    item.get_by_role("button", name="Pause").click()
    expect(item).to_have_attribute("data-state", "paused")

    # Leaving the page and choosing the same file again continues the same upload.
    mark, seen_heads = len(requests), len(heads)
    item = upload_page_with_file()
    wait_for_progress(50)
    assert not any(method == "POST" for method, _ in requests[mark:])
    assert patches_since(mark)[0] == heads[seen_heads] > 0

    # The line drops: the page says so and retries, then carries on when it is back.
    network.send("Network.emulateNetworkConditions", {**slow, "offline": True})
    expect(item).to_have_attribute("data-state", "retrying")
    network.send("Network.emulateNetworkConditions", slow)
    item.locator("a", has_text="Décrire cette vidéo").wait_for(timeout=60000)

    assert [method for method, _ in requests].count("POST") == 1
    video = db.session.execute(db.select(Video)).scalar_one()
    master_file = storage.absolute(video.master_path)
    digest = hashlib.sha256(Path(master_file).read_bytes()).hexdigest()
    assert digest == hashlib.sha256(source.read_bytes()).hexdigest()

"""The clip job: atomic output, retries after a crash, recovery of a killed worker."""

import os
import time
from datetime import timedelta

from app import storage
from app.clips import service as clip_service
from app.clips import tasks as clip_tasks
from app.clock import utcnow
from app.extensions import db
from app.models import Clip, ClipRequest
from tests.clips.conftest import count_frames


def _files_under(root):
    found = []
    for base, _dirs, files in os.walk(root):
        found += [os.path.join(base, f) for f in files]
    return found


def test_a_crash_mid_cut_leaves_no_file_and_the_job_is_retried(
    client, app, logged_in, make_video, post_clip, monkeypatch
):
    from app.media import cut

    video = make_video()
    real_cut = cut.cut
    attempts = []

    def crashing_once(
        master, in_frame, out_frame, dest, progress=None, start_timecode=None, audio=None
    ):
        attempts.append(dest)
        if len(attempts) == 1:
            with open(dest, "wb") as f:  # half a file, then the crash
                f.write(b"\0" * 4096)
            raise RuntimeError("decoder exploded")
        return real_cut(master, in_frame, out_frame, dest, progress, start_timecode)

    monkeypatch.setattr(cut, "cut", crashing_once)
    body = post_clip(video.id, json={"in_frame": 10, "out_frame": 35}).get_json()
    status = client.get(body["status_url"]).get_json()
    assert status["status"] == "done"
    assert len(attempts) == 2
    clip = db.session.get(ClipRequest, body["id"]).clip
    assert clip.attempts == 2
    clips_root = os.path.join(app.config["MEDIA_ROOT"], "clips")
    files = _files_under(clips_root)
    assert files == [os.path.join(app.config["MEDIA_ROOT"], clip.path)]  # no leftover
    assert count_frames(files[0]) == 25


def test_a_cut_that_keeps_failing_is_failed_with_a_reason(
    client, app, logged_in, make_video, post_clip, monkeypatch
):
    from app.media import cut

    video = make_video()
    calls = []

    def always_failing(
        master, in_frame, out_frame, dest, progress=None, start_timecode=None, audio=None
    ):
        calls.append(1)
        with open(dest, "wb") as f:
            f.write(b"partial")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cut, "cut", always_failing)
    body = post_clip(video.id, json={"in_frame": 10, "out_frame": 35}).get_json()
    status = client.get(body["status_url"], headers={"Accept-Language": "en"}).get_json()
    assert status["status"] == "failed"
    assert len(calls) == 3  # the first run and two retries
    assert "could not be cut" in status["error"]
    assert "disk on fire" not in status["error"]  # the technical reason is for staff
    assert status["download_url"] is None
    assert _files_under(os.path.join(app.config["MEDIA_ROOT"], "clips")) == []
    assert "disk on fire" in db.session.get(ClipRequest, body["id"]).clip.error

    # Asking again is a new try, and this time it works.
    monkeypatch.undo()
    again = post_clip(video.id, json={"in_frame": 10, "out_frame": 35}).get_json()
    assert again["id"] == body["id"]
    assert client.get(body["status_url"]).get_json()["status"] == "done"


def _stale_running_clip(app, video, leftover=True):
    clip = Clip(
        video_id=video.id,
        in_frame=5,
        out_frame=30,
        status="running",
        attempts=1,
        run_token="deadbeefdeadbeef",
        started_at=utcnow() - timedelta(minutes=30),
        heartbeat_at=utcnow() - timedelta(minutes=30),
        queued_at=utcnow() - timedelta(minutes=31),
    )
    db.session.add(clip)
    db.session.commit()
    tmp = None
    if leftover:  # what the killed worker was writing
        os.makedirs(storage.clip_work_dir(), exist_ok=True)
        tmp = os.path.join(storage.clip_work_dir(), f"{clip.id}-deadbeefdeadbeef.mp4")
        with open(tmp, "wb") as f:
            f.write(b"\0" * 1000)
        old = time.time() - 3600
        os.utime(tmp, (old, old))
    return clip, tmp


def test_the_sweep_recovers_a_clip_whose_worker_was_killed(app, make_video):
    video = make_video()
    clip, tmp = _stale_running_clip(app, video)
    recovered = clip_tasks.sweep_stale_clips.call_local()
    assert recovered == [clip.id]
    db.session.expire_all()
    clip = db.session.get(Clip, clip.id)
    assert clip.status == "done"  # cut again (immediate mode)
    assert clip.attempts == 2
    assert not os.path.exists(tmp)
    assert count_frames(os.path.join(app.config["MEDIA_ROOT"], clip.path)) == 25


def test_a_running_clip_with_a_fresh_heartbeat_is_left_alone(app, make_video):
    video = make_video()
    clip, _tmp = _stale_running_clip(app, video, leftover=False)
    clip.heartbeat_at = utcnow()
    db.session.commit()
    assert clip_service.recover_stale() == []
    assert db.session.get(Clip, clip.id).status == "running"


def test_polling_a_dead_job_recovers_it(client, app, logged_in, make_video):
    video = make_video()
    clip, tmp = _stale_running_clip(app, video)
    request = ClipRequest(clip_id=clip.id, user_id=logged_in.id)
    db.session.add(request)
    db.session.commit()
    status = client.get(f"/clips/{request.id}").get_json()
    assert status["status"] == "done"
    assert status["frames"] == 25


def test_a_duplicate_delivery_of_the_job_does_nothing(app, make_video, cut_calls):
    video = make_video()
    clip = Clip(video_id=video.id, in_frame=0, out_frame=10, status="queued")
    db.session.add(clip)
    db.session.commit()
    clip_tasks.cut_clip(clip.id)
    clip_tasks.cut_clip(clip.id)  # delivered twice: the second run finds the clip done
    assert len(cut_calls) == 1
    assert db.session.get(Clip, clip.id).status == "done"


def test_progress_is_recorded_while_cutting(app, make_video, monkeypatch):
    from app.media import cut

    video = make_video()
    clip = Clip(video_id=video.id, in_frame=0, out_frame=10, status="queued")
    db.session.add(clip)
    db.session.commit()
    seen = []
    real_cut = cut.cut

    def cut_with_progress(
        master, in_frame, out_frame, dest, progress=None, start_timecode=None, audio=None
    ):
        progress(0.4)
        db.session.expire_all()
        seen.append(db.session.get(Clip, clip.id).progress)
        progress(0.41)  # too soon after the last write: not written
        db.session.expire_all()
        seen.append(db.session.get(Clip, clip.id).progress)
        return real_cut(master, in_frame, out_frame, dest, start_timecode=start_timecode)

    monkeypatch.setattr(cut, "cut", cut_with_progress)
    monkeypatch.setattr(clip_tasks, "PROGRESS_INTERVAL", 3600)
    clip_tasks.cut_clip(clip.id)
    assert seen == [0.4, 0.4]
    assert db.session.get(Clip, clip.id).progress == 1.0


def test_a_missing_master_fails_at_once(client, app, logged_in, make_video, post_clip, cut_calls):
    video = make_video()
    os.remove(os.path.join(app.config["MEDIA_ROOT"], video.master_path))
    body = post_clip(video.id, json={"in_frame": 0, "out_frame": 10}).get_json()
    clip = db.session.get(ClipRequest, body["id"]).clip
    assert clip.status == "failed"
    assert clip.attempts == 1  # no retry: a retry cannot bring the master back
    assert "no master file" in clip.error
    assert cut_calls == []


def test_deleting_a_video_removes_its_clips(client, app, logged_in, make_video, post_clip):
    from app.admin.service import delete_video

    video = make_video()
    body = post_clip(video.id, json={"in_frame": 0, "out_frame": 10}).get_json()
    clip = db.session.get(ClipRequest, body["id"]).clip
    path = os.path.join(app.config["MEDIA_ROOT"], clip.path)
    assert os.path.exists(path)
    delete_video(video)
    assert not os.path.exists(os.path.dirname(path))
    assert db.session.query(Clip).count() == 0
    assert db.session.query(ClipRequest).count() == 0


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KILLED_WORKER = """
import json, sys, time
import config
from app import create_app
from app.media import cut

settings, clip_id, signal = json.loads(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
app = create_app(config.TestConfig, **settings)

def cut_that_hangs(master, in_frame, out_frame, dest, progress=None, start_timecode=None, audio=None):
    with open(dest, "wb") as f:  # half of a clip...
        f.write(b"\\0" * 100000)
    open(signal, "w").close()
    time.sleep(120)  # ...and the worker is killed here

cut.cut = cut_that_hangs
with app.app_context():
    from app.clips.tasks import cut_clip
    cut_clip(clip_id)
"""


def test_a_worker_killed_mid_cut_leaves_no_clip_and_the_sweep_recovers_it(
    app, app_config, make_video, tmp_path
):
    import json
    import signal
    import subprocess
    import sys

    video = make_video()
    clip = Clip(video_id=video.id, in_frame=5, out_frame=30, status="queued")
    db.session.add(clip)
    db.session.commit()
    ready = tmp_path / "cutting"
    script = tmp_path / "worker.py"
    script.write_text(KILLED_WORKER)
    worker = subprocess.Popen(
        [sys.executable, str(script), json.dumps(app_config), str(clip.id), str(ready)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert worker.poll() is None, "the worker died before cutting"
            assert time.monotonic() < deadline, "the worker never started cutting"
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()

    db.session.expire_all()
    clip = db.session.get(Clip, clip.id)
    assert clip.status == "running" and clip.path is None
    clips_root = os.path.join(app.config["MEDIA_ROOT"], "clips")
    leftovers = _files_under(clips_root)
    assert leftovers and all("/tmp/" in f for f in leftovers)  # only in the temporary dir

    # Later, the sweep finds it silent and gives it to a new job.
    app.config["CLIP_STALE_SECONDS"] = 0
    for path in leftovers:
        old = time.time() - 10
        os.utime(path, (old, old))
    assert clip_tasks.sweep_stale_clips.call_local() == [clip.id]
    db.session.expire_all()
    clip = db.session.get(Clip, clip.id)
    assert clip.status == "done" and clip.attempts == 2
    assert _files_under(clips_root) == [os.path.join(app.config["MEDIA_ROOT"], clip.path)]
    assert count_frames(os.path.join(app.config["MEDIA_ROOT"], clip.path)) == 25

"""The resume test with a real kill: a worker process is SIGKILLed in the middle of a
send, the recovery starts the send again, and every subscriber has exactly one message."""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import current_app

from app.extensions import db
from app.models.newsletter import Delivery
from app.newsletter import campaign
from tests.newsletter.conftest import recover

ROOT = Path(__file__).resolve().parents[2]

WORKER = textwrap.dedent(
    """
    import json, os, signal, sys
    import config
    from app import create_app
    from app.newsletter import delivery

    settings = json.loads(sys.argv[1])
    point, after = settings.pop("point"), settings.pop("after")
    issue_id, run_id = settings.pop("issue_id"), settings.pop("run_id")
    app = create_app(config.TestConfig, **settings)
    seen = []

    def die(where, delivery_id):
        if where == point:
            seen.append(delivery_id)
            if len(seen) == after + 1:
                os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no QUIT: a real death

    delivery.fault_hook = die
    with app.app_context():
        delivery.run(issue_id, run_id)
    """
)


@pytest.mark.parametrize("point", ["transmitted", "marked"])
def test_sigkilled_worker_then_restart_sends_exactly_once(
    app, mailbox, make_subscriber, make_issue, clock, point
):
    addresses = [f"k{i}@example.org" for i in range(8)]
    for i, address in enumerate(addresses):
        make_subscriber(address, "fr" if i % 2 else "en")
    issue = make_issue()
    run_id = campaign.start_send(issue)
    settings = {
        key: current_app.config[key]
        for key in (
            "SQLALCHEMY_DATABASE_URI",
            "MEDIA_ROOT",
            "MAIL_SERVER",
            "MAIL_PORT",
            "MAIL_DEFAULT_SENDER",
            "SITE_URL",
            "NEWSLETTER_RATE_PER_SECOND",
            "NEWSLETTER_BATCH_SIZE",
            "NEWSLETTER_UNSUBSCRIBE_MAILTO",
        )
    }
    issue_id = issue.id
    settings.update(point=point, after=3, issue_id=issue_id, run_id=run_id, SERVER_NAME=None)
    db.session.commit()
    db.session.close()
    worker = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(settings)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=120,
    )
    assert worker.returncode == -signal.SIGKILL, worker.stderr.decode()[-2000:]
    # Killed during its 4th message: 3 delivered (4 if killed after marking the 4th).
    expected = 3 if point == "transmitted" else 4
    assert sum(len(mailbox.to(a)) for a in addresses) == expected

    clock.advance(minutes=5)  # the worker restarts; its periodic recovery finds the send
    assert recover() == 1
    assert {a: len(mailbox.to(a)) for a in addresses} == {a: 1 for a in addresses}
    db.session.expire_all()
    assert {d.status for d in Delivery.query.filter_by(issue_id=issue_id)} == {"sent"}

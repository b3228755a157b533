"""Newsletter sending throughput: the real job against a bare smtplib loop.

Both send the same 10,000 messages (one per subscriber, in their language) to a local
aiosmtpd server running in another process, over one SMTP connection, in the same run.
The job does everything it does in production: reads the Delivery rows in batches,
renders each message, claims each row before the final dot and marks it sent after
(two commits per recipient). The bare loop only calls smtplib.sendmail on prebuilt bytes.

    .venv/bin/python benchmarks/bench_newsletter.py            # 10,000 subscribers, SQLite
    .venv/bin/python benchmarks/bench_newsletter.py --count 2000
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench ... (PostgreSQL)
"""

import argparse
import multiprocessing
import os
import smtplib
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_server(port, ready, counter):
    """A local aiosmtpd that accepts and counts (no parsing: the client is measured)."""
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="subscribers")
    parser.add_argument("--batch", type=int, default=500, help="NEWSLETTER_BATCH_SIZE")
    parser.add_argument("--rounds", type=int, default=10, help="alternations bare/job")
    parser.add_argument(
        "--paced-seconds",
        type=float,
        default=20.0,
        help="then send at NEWSLETTER_RATE_PER_SECOND for this long, measuring CPU (0: skip)",
    )
    parser.add_argument("--rate", type=float, default=20.0, help="NEWSLETTER_RATE_PER_SECOND")
    args = parser.parse_args()

    port = _free_port()
    ready, counter = multiprocessing.Event(), multiprocessing.Value("i", 0)
    server = multiprocessing.Process(target=smtp_server, args=(port, ready, counter), daemon=True)
    server.start()
    ready.wait(10)

    tmp = tempfile.mkdtemp(prefix="bench-newsletter-")
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    import config
    from app import create_app
    from app.extensions import db
    from app.models import Subscriber, Video, VideoText
    from app.models.newsletter import Delivery, NewsletterIssue
    from app.newsletter import campaign, delivery, service
    from app.newsletter.message import MessageFactory

    app = create_app(
        config.TestConfig,
        SQLALCHEMY_DATABASE_URI=db_url,
        MEDIA_ROOT=f"{tmp}/media",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_DEFAULT_SENDER="Rushes <newsletter@rushes.test>",
        SITE_URL="https://rushes.example",
        NEWSLETTER_RATE_PER_SECOND=0,
        NEWSLETTER_BATCH_SIZE=args.batch,
        NEWSLETTER_UNSUBSCRIBE_MAILTO="unsubscribe@rushes.test",
        HUEY_IMMEDIATE=True,
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        videos = []
        for i in range(3):
            video = Video(slug=f"video-{i}", status="ready", published=True, poster_path="p.jpg")
            video.texts = [
                VideoText(lang="fr", title=f"Reportage {i}", summary="Résumé du reportage. " * 8),
                VideoText(lang="en", title=f"Story {i}", summary="Summary of the story. " * 8),
            ]
            db.session.add(video)
            videos.append(video)
        db.session.add_all(
            Subscriber(
                email=f"reader{i}@example.org",
                language="fr" if i % 2 else "en",
                status="active",
            )
            for i in range(args.count)
        )
        issue = NewsletterIssue(
            subject_fr="Les images de la semaine",
            subject_en="This week's footage",
            intro_fr="Bonjour,\n\nVoici une sélection de nos nouvelles vidéos. " * 3,
            intro_en="Hello,\n\nHere is a selection of our new videos. " * 3,
        )
        db.session.add(issue)
        db.session.commit()
        issue.set_videos(videos)
        db.session.commit()

        # The same messages, prebuilt for the bare loop.
        factory = MessageFactory(issue)
        subscribers = db.session.execute(db.select(Subscriber).order_by(Subscriber.id)).scalars()
        prebuilt = [
            (
                sub.id,
                sub.email,
                factory.build(
                    sub.email,
                    sub.language,
                    service.unsubscribe_url(sub),
                    f"<bench.{sub.id}@rushes.test>",
                ),
            )
            for sub in subscribers
        ]
        db.session.commit()

        # The machine is shared: alternate the two in rounds so that both see the same load.
        bare_seconds = job_seconds = 0.0
        bare_count = job_count = sent = 0
        size = -(-len(prebuilt) // args.rounds)
        table = Subscriber.__table__
        for r in range(args.rounds):
            chunk = prebuilt[r * size : (r + 1) * size]
            if not chunk:
                break
            before = counter.value
            start = time.perf_counter()
            smtp = smtplib.SMTP("127.0.0.1", port)
            for _sid, to, raw in chunk:
                smtp.sendmail("newsletter@rushes.test", [to], raw)
            smtp.quit()
            bare_seconds += time.perf_counter() - start
            bare_count += counter.value - before

            # This round's audience: the same subscribers, as a fresh issue.
            ids = [sid for sid, _to, _raw in chunk]
            db.session.execute(table.update().values(status="unsubscribed"))
            db.session.execute(table.update().where(table.c.id.in_(ids)).values(status="active"))
            round_issue = NewsletterIssue(
                subject_fr=issue.subject_fr,
                subject_en=issue.subject_en,
                intro_fr=issue.intro_fr,
                intro_en=issue.intro_en,
            )
            db.session.add(round_issue)
            db.session.commit()
            round_issue.set_videos(videos)
            db.session.commit()
            run_id = campaign.start_send(round_issue)

            before = counter.value
            start = time.perf_counter()
            outcome = delivery.run(round_issue.id, run_id)
            job_seconds += time.perf_counter() - start
            job_count += counter.value - before
            sent += db.session.execute(
                db.select(db.func.count())
                .select_from(Delivery)
                .where(Delivery.issue_id == round_issue.id, Delivery.status == "sent")
            ).scalar_one()
            assert outcome == "sent", outcome
        paced = None
        if args.paced_seconds > 0:
            paced = _paced_run(app, issue, videos, prebuilt, counter, args)
        dialect = db.engine.dialect.name
        db.engine.dispose()

    server.terminate()
    bare_rate = bare_count / bare_seconds
    job_rate = job_count / job_seconds
    print(
        f"database: {dialect}; subscribers: {args.count}; batch: {args.batch}; "
        f"rounds: {args.rounds}; load average: {os.getloadavg()[0]:.1f}"
    )
    print(
        f"bare smtplib loop : {bare_count} messages in {bare_seconds:.2f} s = {bare_rate:.0f} msg/s"
    )
    print(
        f"newsletter job    : {job_count} messages in {job_seconds:.2f} s = {job_rate:.0f} msg/s "
        f"({sent} deliveries recorded as sent)"
    )
    ratio = job_rate / bare_rate
    print(f"ratio job/bare    : {ratio:.2f} (unthrottled ceiling, for reference)")
    ok = job_count == bare_count == args.count and sent == args.count
    if paced is not None:
        count, wall, cpu = paced
        print(
            f"paced job         : {count} messages in {wall:.2f} s = {count / wall:.1f} msg/s "
            f"at a configured {args.rate:g}/s ({count / wall / args.rate:.2f} of the pace; "
            f"target >= 0.95), CPU {cpu:.2f} s = {100 * cpu / wall:.1f} % of a core "
            f"(target < 10 %)"
        )
        ok = ok and count == int(args.rate * args.paced_seconds)
    if not ok:
        print("ERROR: not every subscriber got exactly one message", file=sys.stderr)
    return 0 if ok else 1


def _paced_run(app, issue, videos, prebuilt, counter, args):
    """One issue sent at the configured pace: (messages, wall seconds, CPU seconds)."""
    from app.extensions import db
    from app.models import Subscriber
    from app.models.newsletter import NewsletterIssue
    from app.newsletter import campaign, delivery

    table = Subscriber.__table__
    ids = [sid for sid, _to, _raw in prebuilt[: int(args.rate * args.paced_seconds)]]
    db.session.execute(table.update().values(status="unsubscribed"))
    db.session.execute(table.update().where(table.c.id.in_(ids)).values(status="active"))
    paced_issue = NewsletterIssue(
        subject_fr=issue.subject_fr,
        subject_en=issue.subject_en,
        intro_fr=issue.intro_fr,
        intro_en=issue.intro_en,
    )
    db.session.add(paced_issue)
    db.session.commit()
    paced_issue.set_videos(videos)
    db.session.commit()
    app.config["NEWSLETTER_RATE_PER_SECOND"] = args.rate
    run_id = campaign.start_send(paced_issue)
    before = counter.value
    cpu, wall = time.process_time(), time.perf_counter()
    outcome = delivery.run(paced_issue.id, run_id)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert outcome == "sent", outcome
    return counter.value - before, wall, cpu


if __name__ == "__main__":
    sys.exit(main())

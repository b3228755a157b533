"""Fixtures of the newsletter tests: subscribers, published videos, an issue."""

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import Subscriber, Video, VideoText
from app.models.newsletter import NewsletterIssue
from app.newsletter import campaign, delivery
from app.newsletter.tasks import newsletter_housekeeping, send_issue_task


@pytest.fixture(autouse=True)
def _fast_sending(app_config):
    app_config.update(
        NEWSLETTER_RATE_PER_SECOND=0,
        NEWSLETTER_BATCH_SIZE=4,
        SITE_URL="https://rushes.example",
        NEWSLETTER_UNSUBSCRIBE_MAILTO="unsubscribe@rushes.test",
    )


@pytest.fixture(autouse=True)
def _no_fault():
    yield
    delivery.fault_hook = delivery._no_fault


def start_send(issue):
    """What « Envoyer » does: start the send, enqueue its run (run at once in the tests)."""
    run_id = campaign.start_send(issue)
    if run_id is None:
        return False
    send_issue_task(issue.id, run_id)
    return True


def resume(issue):
    """What « Reprendre l'envoi » does."""
    run_id = campaign.resume(issue)
    if run_id is None:
        return False
    send_issue_task(issue.id, run_id)
    return True


def retry_failed(issue, include_unknown=False):
    """What « Réessayer » (or « Envoyer quand même ») does."""
    run_id = campaign.retry_failed(issue, include_unknown=include_unknown)
    if run_id is not None:
        send_issue_task(issue.id, run_id)


def recover():
    """The worker's periodic housekeeping; returns how many sends it resumed."""
    return newsletter_housekeeping.call_local()["resumed"]


def create_subscriber(email, language="fr", status="active"):
    sub = Subscriber(
        email=email,
        language=language,
        status=status,
        confirmed_at=utcnow() if status == "active" else None,
    )
    db.session.add(sub)
    db.session.commit()
    return sub


def create_video(title_fr, title_en, summary_fr="", summary_en="", published=True, poster=True):
    video = Video(
        slug=title_en.lower().replace(" ", "-")[:60],
        status="ready",
        published=published,
        published_at=utcnow() if published else None,
        poster_path="posters/p.jpg" if poster else None,
    )
    video.texts = [
        VideoText(lang="fr", title=title_fr, summary=summary_fr),
        VideoText(lang="en", title=title_en, summary=summary_en),
    ]
    db.session.add(video)
    db.session.commit()
    return video


@pytest.fixture
def make_subscriber(app):
    return create_subscriber


@pytest.fixture
def make_video(app):
    return create_video


@pytest.fixture
def make_issue(app, make_video):
    def make(videos=None, **fields):
        issue = NewsletterIssue(
            subject_fr=fields.get("subject_fr", "Les images de la semaine"),
            subject_en=fields.get("subject_en", "This week's footage"),
            intro_fr=fields.get("intro_fr", "Bonjour à toutes et à tous.\n\nVoici nos vidéos."),
            intro_en=fields.get("intro_en", "Hello everyone.\n\nHere are our videos."),
        )
        db.session.add(issue)
        db.session.commit()
        if videos is None:
            videos = [
                make_video(
                    "Vendanges en Bourgogne",
                    "Grape harvest in Burgundy",
                    "Les vendangeurs à l'aube.",
                    "Pickers at dawn.",
                )
            ]
        issue.set_videos(videos)
        db.session.commit()
        return issue

    return make

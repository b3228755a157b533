"""Saved searches: the one place that creates, changes and deletes them, and builds their
links (results page, MRSS feed, one-click unsubscribe).

A search is kept as the query string of /videos, read back by the library's own parser
(app/library/listing.parse_filters): the page, the feed and the alerts of a saved search
can never disagree on what it means.
"""

from urllib.parse import parse_qsl, urlencode

from flask import current_app
from werkzeug.datastructures import MultiDict

from app import links
from app.extensions import db
from app.library.listing import parse_filters
from app.models import AlertItem, SavedSearch
from app.security import unsubscribe as unsubscribe_links

MAX_SEARCHES_PER_USER = 50
MAX_QUERY_LENGTH = 1000
UNSUBSCRIBE_SALT = "rushes.alerts.unsubscribe"


class InvalidSearch(ValueError):
    """A query string the library refuses (a bad date, an unknown sort...)."""


class TooManySearches(Exception):
    pass


class InvalidLink(Exception):
    """An unsubscribe link that was tampered with."""


# ---------------------------------------------------------------- the query


def filters_of(query):
    return parse_filters(MultiDict(parse_qsl(query or "")))


def normalised_query(raw):
    """The query string of /videos in `raw`, as the library writes it back (no page);
    raises InvalidSearch when the library would answer 400."""
    if len(raw or "") > MAX_QUERY_LENGTH:
        raise InvalidSearch("too long")
    filters = filters_of(raw)
    if filters.errors:
        raise InvalidSearch(", ".join(filters.errors))
    return urlencode(_search_args(filters))


def _search_args(filters):
    return {k: v for k, v in filters.url_args(page=1).items() if k != "page"}


def query_of(filters):
    """The query string to save for the search shown on a results page."""
    return urlencode(_search_args(filters))


def results_path(search):
    return "/videos" + (f"?{search.query}" if search.query else "")


def results_url(search):
    return links.external_url("library.videos", **_search_args(filters_of(search.query)))


def feed_url(search):
    """Its MRSS feed (app/feeds/): the same query string, in the search's language."""
    args = _search_args(filters_of(search.query))
    return links.external_url("feeds.videos", lang=search.language, **args)


# ---------------------------------------------------------------- a user's searches


def searches_of(user):
    return list(
        db.session.execute(
            db.select(SavedSearch)
            .where(SavedSearch.user_id == user.id)
            .order_by(SavedSearch.created_at, SavedSearch.id)
        ).scalars()
    )


def own_search(user, search_id):
    """The user's saved search `search_id`, or None (another user's is None too)."""
    search = db.session.get(SavedSearch, search_id)
    return search if search is not None and search.user_id == user.id else None


def create_search(user, name, query, language, frequency):
    """Save a search; raises InvalidSearch or TooManySearches."""
    query = normalised_query(query)
    count = db.session.execute(
        db.select(db.func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user.id)
    ).scalar_one()
    if count >= MAX_SEARCHES_PER_USER:
        raise TooManySearches
    search = SavedSearch(
        user_id=user.id,
        name=name,
        query=query,
        language=_language(language),
        frequency=frequency,
        alerts_on=True,
    )
    db.session.add(search)
    db.session.commit()
    return search


def _language(language):
    languages = current_app.config["LANGUAGES"]
    return language if language in languages else languages[0]


def update_search(search, name, frequency, alerts_on):
    search.name = name
    search.frequency = frequency
    if not alerts_on:
        _drop_pending(search)
    search.alerts_on = alerts_on
    db.session.commit()


def delete_search(search):
    db.session.execute(db.delete(AlertItem).where(AlertItem.saved_search_id == search.id))
    db.session.delete(search)
    db.session.commit()


def stop_alerts(search):
    """Immediate and idempotent: the search stays (and its feed), its mails stop."""
    if search.alerts_on:
        _drop_pending(search)
        search.alerts_on = False
        db.session.commit()


def _drop_pending(search):
    # Videos waiting for a mail are forgotten: turned back on, the search does not
    # mail weeks-old videos at once.
    db.session.execute(
        db.delete(AlertItem).where(
            AlertItem.saved_search_id == search.id, AlertItem.status == "pending"
        )
    )


# ---------------------------------------------------------------- unsubscribe links


def unsubscribe_url(search):
    token = unsubscribe_links.make_token(UNSUBSCRIBE_SALT, [search.id, search.user_id])
    return links.external_url("alerts.unsubscribe", token=token)


def search_from_unsubscribe_token(token):
    """The saved search of a link, or None when it was deleted since."""
    try:
        search_id, user_id = unsubscribe_links.read_token(UNSUBSCRIBE_SALT, token, 2)
    except unsubscribe_links.InvalidToken as exc:
        raise InvalidLink from exc
    search = db.session.get(SavedSearch, search_id)
    if search is None or search.user_id != user_id:
        return None
    return search

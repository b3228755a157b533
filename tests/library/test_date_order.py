""" "Date (newest first)" sorts by the date the cards show (recorded, else published);
feeds stay in publication order, as their pollers expect."""

import re
from datetime import date, datetime

from tests.library.test_search import titles


def test_the_list_sorts_by_the_date_shown_and_the_feed_by_publication(client, make_video):
    make_video(
        title_fr="Archive",
        title_en="Archive footage",
        recorded_on=date(2019, 5, 1),
        published_at=datetime(2026, 3, 20, 9),  # published last
    )
    make_video(
        title_fr="Sommet",
        title_en="Summit",
        recorded_on=date(2026, 3, 12),
        published_at=datetime(2026, 3, 13, 9),
    )
    make_video(
        title_fr="Sans date",
        title_en="Undated",
        recorded_on=None,  # shows (and sorts by) its publication day
        published_at=datetime(2026, 3, 15, 9),
    )
    assert titles(client, "/videos") == ["Undated", "Summit", "Archive footage"]
    assert titles(client, "/videos?sort=date") == ["Undated", "Summit", "Archive footage"]
    feed = client.get("/feeds/en/videos.rss").get_data(as_text=True)
    items = re.findall(r"<item><title>([^<]+)</title>", feed)
    assert items == ["Archive footage", "Undated", "Summit"]

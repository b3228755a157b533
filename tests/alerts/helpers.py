"""Saving a search the way a browser does: from the form under the results of /videos."""

import html
import re

from app.extensions import db
from app.models import SavedSearch
from tests.helpers import csrf_token

QUERY_RE = re.compile(r'<input[^>]*name="query"[^>]*value="([^"]*)"')


def save_search(client, query, name="Storms", language="en", frequency="immediate"):
    page = client.get(f"/videos?{query}" if query else "/videos")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'action="/alerts/searches"' in body
    hidden = html.unescape(QUERY_RE.search(body).group(1))
    response = client.post(
        "/alerts/searches",
        data={
            "csrf_token": csrf_token(body),
            "query": hidden,
            "name": name,
            "language": language,
            "frequency": frequency,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return db.session.execute(
        db.select(SavedSearch).order_by(SavedSearch.id.desc()).limit(1)
    ).scalar_one()

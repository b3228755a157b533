"""WCAG 2.1 AA (EN 301 549) as axe-core checks it, in Chromium, in both languages: no
serious or critical violation on the pages a journalist and a staff member use.

axe-core (MPL-2.0) comes from npm, pinned to 4.10.3 by tests/e2e/package-lock.json:
`make install-dev` runs `npm ci --prefix tests/e2e`.
"""

from pathlib import Path

import pytest

from app.auth.flows.state import VERIFY_EMAIL
from tests.e2e.test_clips import _sign_in
from tests.library.conftest import make_video  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e

AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _violations(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))",
        TAGS,
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.fixture
def pages(app, make_video, make_user):  # noqa: F811
    video = make_video()
    user = make_user(email="staff@example.org", staff=True, language="fr")
    return video, user


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_serious_violation_on_the_public_and_account_pages(
    browser, live_server, app, pages, lang
):
    video, user = pages
    # bypass_csp: axe is injected as an inline script, which the site's CSP rightly refuses.
    context = browser.new_context(
        bypass_csp=True,
        locale=f"{lang}-{lang.upper()}",
        extra_http_headers={"Accept-Language": lang},
    )
    page = context.new_page()
    try:
        found = {}
        for path in ("/", "/videos?q=ministres", "/register", "/login", "/reset"):
            found[path] = _violations(page, live_server.url + path)
        # The code page, as a visitor waiting for their code sees it.
        client = app.test_client()
        with client.session_transaction() as session:
            session[VERIFY_EMAIL] = "new@example.org"
        cookie = client.get_cookie("session")
        context.add_cookies([{"name": "session", "value": cookie.value, "url": live_server.url}])
        found["/verify"] = _violations(page, live_server.url + "/verify")
        user.language = lang
        from app.extensions import db

        db.session.commit()
        _sign_in(app, context, live_server, user)
        for path in (
            f"/videos/{video.id}-{video.slug}",  # with the clip editor
            "/account/",
            f"/admin/videos/{video.id}",
        ):
            found[path] = _violations(page, live_server.url + path)
    finally:
        context.close()
    assert {path: v for path, v in found.items() if v} == {}

"""Layout of the library pages in Chromium (issue 12 polish), at 1366×900 and on a phone
(390×844): the credit line in the text font, the « use this shot » buttons in one column
and never squeezing the descriptions, the filter panel closed on a phone after a search."""

import pytest

from app.clock import utcnow
from tests.e2e.test_clips import _sign_in
from tests.library.conftest import make_video  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e

SHOTS = (
    "10:00:00:00 PLAN LARGE de la salle de réunion, les délégations entrent\n"
    "10:00:00:12 SOUNDBITE (French) La ministre des Armées répond aux questions des journalistes\n"
    "10:00:01:00 Gros plan"
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _context(browser, app, live_server, user, viewport, locale="fr-FR"):
    context = browser.new_context(locale=locale, viewport=viewport, is_mobile=viewport == PHONE)
    context.set_default_timeout(15000)
    if user is not None:
        _sign_in(app, context, live_server, user)
    return context


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_video_page_credit_and_shot_list(
    browser,
    app,
    live_server,
    make_video,  # noqa: F811
    make_user,
    viewport,
    locale,
):
    video = make_video(shots_fr=SHOTS, shots_en=SHOTS)
    user = make_user(email="ada@example.org", terms_accepted_at=utcnow(), language=locale[:2])
    context = _context(browser, app, live_server, user, viewport, locale)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/videos/{video.id}-{video.slug}")
        page.wait_for_selector(".clip-editor-ready")
        assert page.get_attribute("html", "lang") == locale[:2]

        font = page.locator(".credit").evaluate("el => getComputedStyle(el).fontFamily")
        body = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert font == body and "mono" not in font.lower()

        buttons = page.locator("[data-use-shot]")
        assert buttons.count() == 3
        boxes = [buttons.nth(i).bounding_box() for i in range(3)]
        texts = [page.locator(".shot-text").nth(i).bounding_box() for i in range(3)]
        if viewport == DESKTOP:
            # One column of buttons, right-aligned, beside the descriptions.
            rights = {round(b["x"] + b["width"]) for b in boxes}
            assert max(rights) - min(rights) <= 1, rights
            for text, button in zip(texts, boxes, strict=True):
                assert text["x"] + text["width"] <= button["x"] + 1
        else:
            # On a phone the button goes under its description, which keeps its width.
            for text, button in zip(texts, boxes, strict=True):
                assert text["width"] >= 200, text  # was one word wide (~60 px)
                assert button["y"] >= text["y"] + text["height"] - 1
            lefts = {round(b["x"]) for b in boxes}
            assert len(lefts) == 1, lefts
        # Each download offer's description stays clear of its buttons (a long
        # "ProRes 422 HQ 1920×1080i50" ran under them in the side column).
        offers = page.locator(".offer")
        assert offers.count() == 4  # original, fhd, hd, sd
        for i in range(offers.count()):
            description = offers.nth(i).locator(".offer-text")
            assert description.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), i
            text = description.bounding_box()
            for button in offers.nth(i).locator("a.button, button").all():
                box = button.bounding_box()
                apart = (
                    box["x"] >= text["x"] + text["width"] - 1
                    or box["y"] >= text["y"] + text["height"] - 1
                )
                assert apart, (i, text, box)
        # Nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_after_a_search_on_a_phone_the_results_are_in_view(
    browser,
    app,
    live_server,
    make_video,  # noqa: F811
    locale,
):
    for i in range(3):
        make_video(title_fr=f"Défense {i}", title_en=f"Defence {i}", tags=("Politique",))
    context = _context(browser, app, live_server, None, PHONE, locale)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/videos?q=defense&tag=Politique")
        page.wait_for_load_state("load")
        assert page.locator("details.search-filters").evaluate("d => d.open") is False
        first = page.locator(".video-card").first.bounding_box()
        assert first["y"] < PHONE["height"] - 100, first
        # The panel is still there, one tap away.
        page.locator("details.search-filters summary").click()
        assert page.locator("#search-tag").is_visible()
    finally:
        context.close()

    context = _context(browser, app, live_server, None, DESKTOP, locale)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/videos?q=defense&tag=Politique")
        page.wait_for_load_state("load")
        assert page.locator("details.search-filters").evaluate("d => d.open") is True
    finally:
        context.close()

"""Chromium: a staff member composes an issue (searching the videos), previews it in both
languages, sends a test to themself, then sends it and watches the progress update."""

import threading

import pytest
from playwright.sync_api import expect

from app.newsletter import delivery, staff_routes
from tests.conftest import PASSWORD
from tests.newsletter.conftest import create_subscriber, create_video

pytestmark = pytest.mark.e2e


@pytest.fixture
def en_page(browser, live_server):
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def background_worker(app, monkeypatch):
    """Run the send in a thread, as a worker would, so the page sees it in progress."""
    threads = []

    def enqueue(issue_id, run_id):
        def work():
            with app.app_context():
                delivery.run(issue_id, run_id)

        thread = threading.Thread(target=work, daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(staff_routes, "send_issue_task", enqueue)
    yield
    for thread in threads:
        thread.join(30)


def test_compose_preview_test_and_send(
    app,
    app_config,
    en_page,
    live_server,
    make_user,
    mailbox,
    background_worker,
):
    from flask import current_app

    current_app.config.update(
        NEWSLETTER_RATE_PER_SECOND=2,  # slow enough to watch the progress
        NEWSLETTER_BATCH_SIZE=2,
        SITE_URL="https://rushes.example",
    )
    page = en_page
    make_user("staff@example.org", staff=True, language="en")
    harvest = create_video(
        "Vendanges en Bourgogne", "Grape harvest in Burgundy", "", "Pickers at dawn."
    )
    storm = create_video("Tempête en Bretagne", "Storm in Brittany", "", "Waves on the pier.")
    readers = ["r1@example.org", "r2@example.org", "r3@example.org", "r4@example.org"]
    for i, address in enumerate(readers):
        create_subscriber(address, "fr" if i % 2 else "en")

    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", "staff@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(live_server.url + "/admin/newsletter/new")
    page.get_by_label("Subject (French)").fill("Les images de la semaine")
    page.get_by_label("Introduction (French)").fill("Bonjour,\n\nVoici nos images.")
    page.get_by_label("Subject (English)").fill("This week's footage")
    page.get_by_label("Introduction (English)").fill("Hello,\n\nHere is our footage.")

    # The search filters the list as one types; Enter does not submit the form.
    search = page.get_by_label("Search the published videos")
    search.fill("storm")
    search.press("Enter")
    storm_item = page.locator(f"#nl-video-list li:has(input[value='{storm.id}'])")
    harvest_item = page.locator(f"#nl-video-list li:has(input[value='{harvest.id}'])")
    expect(harvest_item).to_be_hidden()
    expect(storm_item).to_be_visible()
    expect(page.locator("#nl-search-status")).to_have_text("1 videos shown")
    storm_item.locator("input").check()
    search.fill("")
    expect(harvest_item).to_be_visible()
    assert "/admin/newsletter/new" in page.url  # still composing
    page.get_by_role("button", name="Save and preview").click()
    page.wait_for_url("**/admin/newsletter/*")

    # Previews in both languages, each in a sandboxed frame.
    frames = page.frame_locator("iframe")
    expect(frames.nth(0).locator("h1")).to_have_text("Les images de la semaine")
    expect(frames.nth(0).locator("body")).to_contain_text("Tempête en Bretagne")
    expect(frames.nth(1).locator("h1")).to_have_text("This week's footage")
    expect(frames.nth(1).locator("body")).to_contain_text("Storm in Brittany")
    expect(frames.nth(1).locator("body")).not_to_contain_text("Grape harvest")

    page.get_by_role("button", name="Send me a test").click()
    expect(page.locator(".flash-success")).to_contain_text("staff@example.org")
    assert sorted(m["Subject"] for m in mailbox.to("staff@example.org")) == [
        "[TEST] Les images de la semaine",
        "[TEST] This week's footage",
    ]
    assert all(mailbox.to(r) == [] for r in readers)

    page.get_by_role("link", name="Send to subscribers…").click()
    expect(page.locator("main")).to_contain_text("4 confirmed subscribers")
    page.get_by_role("button", name="Send to 4 subscribers").click()

    # The progress refreshes by itself until every message is sent.
    expect(page.locator("#nl-status-badge")).to_have_text("Sent", timeout=30000)
    expect(page.locator('[data-field="sent"]')).to_have_text("4")
    expect(page.locator('[data-field="remaining"]')).to_have_text("0")
    for address in readers:
        assert len(mailbox.to(address)) == 1
    assert mailbox.last_to("r2@example.org")["Subject"] == "Les images de la semaine"
    assert mailbox.last_to("r1@example.org")["Subject"] == "This week's footage"

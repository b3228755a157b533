"""One-time code rules: expiry, tries, single use, voiding, resend throttle."""

import threading
from html import unescape

from app.extensions import db
from app.models import OneTimeCode
from app.security import codes
from tests.auth.flows import fresh_user, register, resend, submit_code
from tests.helpers import code_in, post_form


def _wrong(code):
    return "000000" if code != "000000" else "111111"


def test_a_code_expires_after_30_minutes(client, mailbox, clock):
    register(client)
    code = code_in(mailbox.last_to("ada@example.org"))
    clock.advance(minutes=30, seconds=1)
    response = post_form(client, "/verify", {"code": code}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "This code has expired" in response.get_data(as_text=True)
    assert not fresh_user().is_verified


def test_a_code_still_works_just_before_30_minutes(client, mailbox, clock):
    register(client)
    code = code_in(mailbox.last_to("ada@example.org"))
    clock.advance(minutes=29, seconds=50)
    assert submit_code(client, code).headers["Location"].endswith("/welcome")


def test_five_wrong_tries_burn_the_code(client, mailbox):
    register(client)
    code = code_in(mailbox.last_to("ada@example.org"))
    for left in (4, 3, 2, 1):
        response = post_form(
            client, "/verify", {"code": _wrong(code)}, headers={"Accept-Language": "en"}
        )
        assert f"stops working: {left}." in response.get_data(as_text=True)
    response = post_form(
        client, "/verify", {"code": _wrong(code)}, headers={"Accept-Language": "en"}
    )
    assert "Too many wrong tries" in response.get_data(as_text=True)
    assert "ask for a new code" in response.get_data(as_text=True)
    # even the right code is refused now
    response = post_form(client, "/verify", {"code": code}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert not fresh_user().is_verified


def test_resend_is_throttled_to_one_a_minute_with_a_clear_message(client, mailbox, clock):
    register(client)
    response = resend(client)
    assert response.status_code == 302
    page = unescape(client.get("/verify", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert "Un code a été envoyé à cette adresse il y a peu" in page  # flashed in French
    assert "dans 60 secondes" in page or "dans 59 secondes" in page
    assert len(mailbox.to("ada@example.org")) == 1
    clock.advance(seconds=61)
    resend(client)
    assert len(mailbox.wait_for("ada@example.org", 2)) == 2


def test_resend_is_throttled_to_five_an_hour(client, mailbox, clock):
    register(client)  # send 1
    for _ in range(4):  # sends 2..5
        clock.advance(seconds=61)
        resend(client)
    assert len(mailbox.wait_for("ada@example.org", 5)) == 5
    clock.advance(seconds=61)
    resend(client)
    page = unescape(client.get("/verify").get_data(as_text=True))
    assert "vous pourrez demander un nouveau code dans 55 minutes" in page
    assert len(mailbox.to("ada@example.org")) == 5
    clock.advance(minutes=55)
    resend(client)
    assert len(mailbox.wait_for("ada@example.org", 6)) == 6


def test_throttle_wait_in_english(app, client, mailbox):
    register(client)
    post_form(client, "/verify/resend", {}, page="/verify", headers={"Accept-Language": "en"})
    page = unescape(client.get("/verify").get_data(as_text=True))
    assert "you can ask for a new code in 60 seconds" in page or "in 59 seconds" in page


def _issued(purpose, email):
    """A code as the worker draws it for the mail."""
    return codes.draw(codes.issue(purpose, email).id)


def test_codes_module_rules(app, clock):
    email = "x@example.org"
    code = _issued(codes.VERIFY, email)
    assert len(code) == 6 and code.isdigit()
    assert codes.check(codes.RESET, email, code).status == codes.MISSING  # purpose-bound
    assert codes.check(codes.VERIFY, "y@example.org", code).status == codes.MISSING
    code2 = _issued(codes.VERIFY, email)
    voided = OneTimeCode.query.filter(OneTimeCode.voided_at.isnot(None)).count()
    assert voided == 1  # the new code voided the first
    assert codes.check(codes.VERIFY, email, code2).ok
    assert codes.check(codes.VERIFY, email, code2).status == codes.MISSING  # single use
    pending = codes.issue(codes.RESET, email)  # recorded; its code is not drawn yet
    assert pending.delivery == codes.PENDING_DELIVERY
    assert codes.check(codes.RESET, email, "123456").status == codes.WRONG
    assert codes.draw(pending.id) is not None
    assert codes.draw(pending.id) is not None  # drawn again until its mail is sent...
    codes.mark_delivery(pending.id, codes.SENT_DELIVERY)
    assert codes.draw(pending.id) is None  # ...and never after


def test_a_failed_delivery_voids_the_code_and_frees_the_throttle(app):
    email = "x@example.org"
    row = codes.issue(codes.VERIFY, email)
    code = codes.draw(row.id)
    assert codes.throttle_wait(codes.VERIFY, email) == 60
    codes.mark_delivery(row.id, codes.FAILED_DELIVERY)
    assert codes.latest_delivery(codes.VERIFY, email) == codes.FAILED_DELIVERY
    assert codes.throttle_wait(codes.VERIFY, email) == 0
    assert codes.check(codes.VERIFY, email, code).status == codes.MISSING


def test_throttle_wait_values(app, clock):
    email = "x@example.org"
    assert codes.throttle_wait(codes.VERIFY, email) == 0
    codes.issue(codes.VERIFY, email)
    assert codes.throttle_wait(codes.VERIFY, email) == 60
    assert codes.throttle_wait(codes.RESET, email) == 0  # per purpose
    clock.advance(seconds=30)
    assert codes.throttle_wait(codes.VERIFY, email) == 30
    for _ in range(4):
        clock.advance(seconds=60)
        codes.issue(codes.VERIFY, email)
    clock.advance(seconds=60)
    # five sends in the last 4.5 minutes: wait until the first leaves the hour
    assert codes.throttle_wait(codes.VERIFY, email) == 3600 - 330


def test_concurrent_guesses_compare_at_most_five_times(app, monkeypatch):
    """25 wrong guesses and the right one, all at once: only five are ever compared."""
    email = "x@example.org"
    code = _issued(codes.VERIFY, email)
    compared = []
    real_hash = codes.code_hash

    def counting_hash(purpose, address, given):
        compared.append(given)
        return real_hash(purpose, address, given)

    monkeypatch.setattr(codes, "code_hash", counting_hash)
    guesses = [_wrong(code)] * 25 + [code]
    start = threading.Barrier(len(guesses))
    results = []

    def guess(value):
        with app.app_context():
            start.wait()
            results.append(codes.check(codes.VERIFY, email, value))
            db.session.remove()

    threads = [threading.Thread(target=guess, args=(g,)) for g in guesses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == len(guesses)
    assert len(compared) <= 5, compared
    wrong = sum(r.status == codes.WRONG for r in results)
    if any(r.ok for r in results):
        assert wrong <= 4
    assert OneTimeCode.query.one().attempts <= 5


def test_the_right_code_on_the_fifth_try_works_and_not_on_the_sixth(app):
    email = "x@example.org"
    code = _issued(codes.VERIFY, email)
    for _ in range(4):
        assert codes.check(codes.VERIFY, email, _wrong(code)).status == codes.WRONG
    assert codes.check(codes.VERIFY, email, code).ok
    code = _issued(codes.VERIFY, email)
    for _ in range(5):
        codes.check(codes.VERIFY, email, _wrong(code))
    assert codes.check(codes.VERIFY, email, code).status in (codes.BURNT, codes.MISSING)

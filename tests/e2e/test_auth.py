"""The account flows in Chromium, as a user does them: sign-up in French, reset in English."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import code_in

pytestmark = pytest.mark.e2e

EMAIL = "camille@example.org"


def _rule(page, key):
    return page.locator(f'#password-rules li[data-rule="{key}"]')


def _type_password_and_watch_the_checklist(page, selector):
    """Type character by character; each rule ticks when it is met, not before."""
    field = page.locator(selector)
    expect(page.locator("#password-rules li.ok")).to_have_count(0)
    field.press_sequentially("abc")
    expect(_rule(page, "lower")).to_have_class(re.compile(r"\bok\b"))
    expect(_rule(page, "upper")).not_to_have_class(re.compile(r"\bok\b"))
    expect(_rule(page, "length")).not_to_have_class(re.compile(r"\bok\b"))
    field.press_sequentially("DEF")
    expect(_rule(page, "upper")).to_have_class(re.compile(r"\bok\b"))
    expect(_rule(page, "digit")).not_to_have_class(re.compile(r"\bok\b"))
    field.press_sequentially("42")
    expect(_rule(page, "digit")).to_have_class(re.compile(r"\bok\b"))
    field.press_sequentially(" ")
    expect(_rule(page, "spaces")).not_to_have_class(re.compile(r"\bok\b"))
    field.press("Backspace")
    expect(_rule(page, "spaces")).to_have_class(re.compile(r"\bok\b"))
    field.press_sequentially("-Lagoon!")
    for key in ("length", "spaces", "upper", "lower", "digit", "symbol"):
        expect(_rule(page, key)).to_have_class(re.compile(r"\bok\b"))
    return "abcDEF42-Lagoon!"


def test_the_whole_signup_in_french(page, live_server, mailbox):
    main = page.locator("main")
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Créer un compte").first.click()
    expect(page.get_by_role("heading", name="Créer un compte")).to_be_visible()

    main.get_by_label("Adresse e-mail").fill(EMAIL)
    main.get_by_label("Nom complet").fill("Camille Martin")
    main.get_by_label("Organisation (média)").fill("Le Quotidien du Port")
    password = _type_password_and_watch_the_checklist(page, "#password")
    main.get_by_label("Confirmez le mot de passe").fill(password)
    main.get_by_label("J'ai lu et j'accepte les conditions d'utilisation").check()
    page.get_by_role("button", name="Créer mon compte").click()

    expect(
        page.get_by_role(
            "heading", name="Vérifiez votre boîte de réception et entrez le code de vérification"
        )
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        f"Nous avons envoyé un code de vérification à votre adresse e-mail {EMAIL}."
    )
    expect(page.get_by_role("button", name="Envoyer un nouveau code")).to_be_visible()
    message = mailbox.wait_for(EMAIL)[-1]
    main.get_by_label("Code de vérification", exact=True).fill(code_in(message))
    page.get_by_role("button", name="Vérifier").click()

    expect(
        page.get_by_role("heading", name="Vous avez créé votre compte avec succès")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "Désormais, vous pouvez télécharger des versions complètes ou partielles de nos "
        "vidéos depuis notre site Web."
    )
    expect(page.get_by_role("heading", name="Abonnez-vous à notre newsletter")).to_be_visible()
    page.get_by_role("button", name="S'abonner").click()
    expect(page.locator("main")).to_contain_text("Vous êtes abonné à notre newsletter.")
    expect(page.locator(".site-header")).to_contain_text("Camille Martin")


def test_the_whole_password_reset_in_english(browser, live_server, mailbox, make_user):
    make_user(EMAIL, full_name="Camille Martin", language="en")
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15000)
    page = context.new_page()
    main = page.locator("main")
    try:
        page.goto(live_server.url + "/terms")
        expect(page.get_by_role("heading", name="Terms of use")).to_be_visible()
        page.locator(".site-header").get_by_role("link", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)terms$"))
        page.get_by_role("link", name="Forgot your password?").click()

        expect(page.get_by_role("heading", name="Reset password")).to_be_visible()
        main.get_by_label("E-mail address").fill(EMAIL.upper())
        page.get_by_role("button", name="Send the code").click()

        expect(
            page.get_by_role("heading", name="Enter the code to reset your password")
        ).to_be_visible()
        message = mailbox.wait_for(EMAIL)[-1]
        main.get_by_label("Verification code", exact=True).fill(code_in(message))
        page.get_by_role("button", name="Continue").click()

        expect(page.get_by_role("heading", name="Create a new password")).to_be_visible()
        password = _type_password_and_watch_the_checklist(page, "#password")
        main.get_by_label("Confirm the password").fill(password)
        page.get_by_role("button", name="Save the new password").click()

        expect(page.get_by_role("heading", name="Your password has been updated")).to_be_visible()
        expect(page.locator("main")).to_contain_text(
            "Click the button to go back to the page you were on and log in with your new password."
        )
        page.get_by_role("link", name="Go back and log in").click()

        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        main.get_by_label("E-mail address").fill(EMAIL)
        main.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(live_server.url + "/terms")
        expect(page.locator(".site-header")).to_contain_text("Camille Martin")
        assert len(mailbox.wait_for(EMAIL, 2)) == 2  # the code, then the "password changed" notice
    finally:
        context.close()


def test_the_checklist_page_works_without_javascript(browser, live_server, mailbox):
    """Progressive enhancement: the form posts and the server names the broken rules."""
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    main = page.locator("main")
    try:
        page.goto(live_server.url + "/register")
        main.get_by_label("E-mail address").fill("nojs@example.org")
        main.get_by_label("Full name").fill("No Script")
        main.get_by_label("Organisation (media outlet)").fill("Plain Press")
        page.locator("#password").fill("short")
        main.get_by_label("Confirm the password").fill("short")
        page.get_by_role("button", name="Create my account").click()
        expect(page.locator("#password-errors")).to_contain_text("at least 12 characters")
        expect(page.locator("#accept_terms-errors")).to_contain_text("accept the terms")
        expect(main.get_by_label("Full name")).to_have_value("No Script")
    finally:
        context.close()


@pytest.mark.parametrize(("locale", "name_label", "submit"), [
    ("fr-FR", "Nom complet", "Créer mon compte"),
    ("en-GB", "Full name", "Create my account"),
])  # fmt: skip
def test_a_field_error_goes_once_the_field_is_changed(
    browser, live_server, locale, name_label, submit
):
    """The server's message under a field stays true only for what was sent: typing in
    the field hides it and the field is no longer marked invalid; the others stay."""
    context = browser.new_context(locale=locale)
    page = context.new_page()
    main = page.locator("main")
    try:
        page.goto(live_server.url + "/register")
        main.get_by_role("button", name=submit).click()
        page.wait_for_load_state("load")  # the answer's scripts run before the user types
        name = main.get_by_label(name_label)
        expect(name).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#full_name-errors")).to_be_visible()
        expect(page.locator("#organisation-errors")).to_be_visible()
        name.fill("Camille Martin")
        expect(page.locator("#full_name-errors")).to_be_hidden()
        expect(name).not_to_have_attribute("aria-invalid", "true")
        expect(page.locator("#organisation-errors")).to_be_visible()  # not touched: stays
    finally:
        context.close()

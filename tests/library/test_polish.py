"""Wording and layout fixes of the library pages (issue 12 polish), checked through the
test client in French and English: a page past the last one, the other-language line,
one no-result sentence, the technical sheet's container name, the header's sign-up
link, the welcome page, the admin's upload wording."""

import os
import re

from app.extensions import db
from app.library.present import container_label
from app.media.probe import MediaInfo
from tests.auth.flows import signup_data, submit_code
from tests.helpers import code_in, post_form
from tests.library.conftest import SAMPLE_INFO

FR = {"Accept-Language": "fr"}
EN = {"Accept-Language": "en"}


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_page_past_the_last_one_says_so_and_links_to_the_last_page(client, make_video):
    for i in range(4):
        make_video(title_en=f"Video {i}", title_fr=f"Vidéo {i}")
    response = client.get("/videos?page=2", headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "4 videos" in _text(html)
    assert "No video has been published yet." not in html
    assert "There is no page 2: the last page is page 1." in html
    assert re.search(r'<a class="button" href="/videos">Go to the last page</a>', html)

    html = client.get("/videos?page=3", headers=FR).get_data(as_text=True)
    assert "4 vidéos" in _text(html)
    assert "encore été publiée" not in html
    assert "pas de page 3 : la dernière page est la page 1." in html
    assert "Aller à la dernière page" in html

    # A search keeps its words in the link to its last page.
    html = client.get("/videos?q=video&page=5", headers=EN).get_data(as_text=True)
    assert 'href="/videos?q=video"' in html


def test_the_other_language_line_is_wholly_in_the_interface_language(client, make_video):
    video = make_video()
    page = f"/videos/{video.id}-{video.slug}"
    fr = client.get(page, headers=FR).get_data(as_text=True)
    assert "Également disponible en anglais :" in fr
    assert "en English" not in fr
    en = client.get(page, headers=EN).get_data(as_text=True)
    assert "Also available in French:" in en
    line = re.search(r'class="muted small other-language">([^<]*)<', en).group(1)
    assert line.strip() == "Also available in French:"


def test_no_result_is_said_once(client, make_video):
    make_video()
    html = client.get("/videos?q=zzzzqqq", headers=FR).get_data(as_text=True)
    assert "Aucune vidéo ne correspond à votre recherche." in html
    assert "0 vidéo" not in html
    html = client.get("/videos?q=zzzzqqq", headers=EN).get_data(as_text=True)
    assert "No video matches your search." in html
    assert "0 videos" not in html


def test_the_technical_sheet_names_an_mp4_master_mp4(app, client, make_video):
    info = MediaInfo.from_dict(SAMPLE_INFO)

    class Row:
        master_path = "videos/1/master.mp4"
        original_filename = "interview.MOV"

    assert container_label(Row, info) == "MP4"
    Row.master_path = "videos/1/master.mov"
    assert container_label(Row, info) == "QuickTime / MOV"
    Row.master_path = None
    assert container_label(Row, info) == "QuickTime / MOV"  # from the upload's name

    video = make_video()
    root = app.config["MEDIA_ROOT"]
    mp4 = video.master_path.replace(".mov", ".mp4")
    os.rename(os.path.join(root, video.master_path), os.path.join(root, mp4))
    video.master_path = mp4
    video.original_filename = "interview.mp4"
    db.session.commit()
    html = client.get(f"/videos/{video.id}-{video.slug}", headers=EN).get_data(as_text=True)
    sheet = html[html.index('class="tech-sheet"') :]
    assert "<dt>Container</dt><dd>MP4</dd>" in sheet
    assert "QuickTime" not in sheet


def test_the_header_sign_up_link_comes_back_to_the_page(client, make_video):
    video = make_video()
    page = f"/videos/{video.id}-{video.slug}"
    html = client.get(page + "?in=10:00:00:00", headers=EN).get_data(as_text=True)
    header = html[: html.index("</header>")]
    link = re.search(r'href="(/register[^"]*)"', header).group(1)
    assert link.startswith("/register?next=")
    assert link.replace("%2F", "/").startswith(f"/register?next=/videos/{video.id}-{video.slug}?in")
    # On the log-in page, sign-up goes where the log-in was going.
    html = client.get(f"/login?next={page}", headers=EN).get_data(as_text=True)
    header = html[: html.index("</header>")]
    assert f"/register?next=/videos/{video.id}-{video.slug}" in header.replace("%2F", "/")


def test_after_sign_up_the_welcome_page_returns_to_the_video(client, mailbox, make_video):
    video = make_video()
    page = f"/videos/{video.id}-{video.slug}"
    register = f"/register?next={page}"
    post_form(client, "/register", signup_data(next=page), page=register)
    submit_code(client, code_in(mailbox.last_to("ada@example.org")))
    html = client.get("/welcome", headers=FR).get_data(as_text=True)
    assert re.search(rf'<a class="button[^"]*" href="{page}">Continuer vers la vidéo</a>', html)
    # The newsletter is offered once: by the page, not again in the footer.
    assert html.count("Abonnez-vous à notre newsletter") == 1
    assert "footer-newsletter" not in html

    # In English (the language saved with the account is the one of the sign-up).
    from app.models import User

    User.by_email("ada@example.org").language = "en"
    db.session.commit()
    html = client.get("/welcome").get_data(as_text=True)
    assert f'href="{page}">Continue to the video</a>' in html


def test_the_french_admin_says_televerser_for_uploads(client, make_user, login):
    make_user(email="staff@example.org", staff=True, language="fr")
    login("staff@example.org")
    html = client.get("/admin/upload").get_data(as_text=True)
    assert "Téléverser des vidéos" in html
    assert ">Téléverser</a>" in html
    assert "Envoyer des vidéos" not in html
    assert "Envoi" not in _text(html)

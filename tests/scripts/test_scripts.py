"""GET /videos/<id>/script(.txt): the agency layout, both languages, a clip's range."""

STORY_EN = "Ministers met for three hours.\nThey agreed on a joint fund."


def script_text(client, video, query="", lang="en"):
    response = client.get(
        f"/videos/{video.id}/script.txt{query}", headers={"Accept-Language": lang}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


def test_the_text_has_the_agency_layout(client, make_video):
    video = make_video(story_en=STORY_EN)
    response = script_text(client, video)
    assert response.mimetype == "text/plain"
    assert response.mimetype_params["charset"] == "utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "2026-03-14_video-1_script.txt" in response.headers["Content-Disposition"]
    lines = response.get_data().decode("utf-8").split("\n")
    assert lines[0] == "DEFENCE MINISTERS MEET"
    header = "\n".join(lines[:8])
    assert "Date:" in header and "14 Mar 2026" in header
    assert "Location:" in header and "Bruxelles" in header
    assert "Duration:" in header and "(00:00:02:00)" in header
    headings = [
        line for line in lines if line in ("SHOTLIST", "STORYLINE", "RESTRICTIONS", "TECHNICAL")
    ]
    assert headings == ["SHOTLIST", "STORYLINE", "RESTRICTIONS", "TECHNICAL"]
    text = "\n".join(lines)
    assert "10:00:00:00  WIDE meeting room\n10:00:01:00  SOUNDBITE (French) The minister" in text
    assert "Ministers met for three hours.\nThey agreed on a joint fund." in text
    assert "Editorial use only.\nCredit: © Rushes, 2026" in text
    assert "Video codec:" in text and "ProRes 422 HQ" in text
    assert "Start timecode:" in text and "10:00:00:00" in text


def test_french_interface_gives_a_french_script(client, make_video):
    video = make_video()
    text = script_text(client, video, lang="fr").get_data(as_text=True)
    assert text.startswith("RÉUNION DES MINISTRES DE LA DÉFENSE\n")
    assert "10:00:00:00  PLAN LARGE salle de réunion" in text
    assert "LISTE DES PLANS" in text and "RESTRICTIONS" in text
    assert "Lieu" in text and "14 mars 2026" in text
    english = script_text(client, video, "?lang=en", lang="fr").get_data(as_text=True)
    assert "SHOTLIST" in english and "WIDE meeting room" in english


def test_a_clip_script_lists_only_the_shots_inside_its_range(client, make_video):
    video = make_video()  # 25 fps, 50 frames; shots at 10:00:00:00 and 10:00:01:00
    text = script_text(client, video, "?in=25&out=50").get_data(as_text=True)
    assert "SOUNDBITE" in text and "WIDE meeting room" not in text
    assert "Clip:" in text and "10:00:01:00 – 10:00:02:00" in text
    first = script_text(client, video, "?in=0&out=25").get_data(as_text=True)
    assert "WIDE meeting room" in first and "SOUNDBITE" not in first  # out is exclusive
    by_tc = script_text(client, video, "?in=10:00:01:00&out=10:00:02:00")
    assert "SOUNDBITE" in by_tc.get_data(as_text=True)
    assert "_script-10-00-01-00-10-00-02-00.txt" in by_tc.headers["Content-Disposition"]


def test_a_bad_range_is_400(client, make_video):
    video = make_video()
    for query in ("?in=30&out=10", "?in=0&out=51", "?in=5", "?in=ab&out=cd"):
        response = client.get(f"/videos/{video.id}/script.txt{query}")
        assert response.status_code == 400, query


def test_the_print_page_renders_and_offers_the_other_language(client, make_video):
    video = make_video()
    response = client.get(f"/videos/{video.id}/script", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "css/stills.css" in html
    assert "<h1>Defence ministers meet</h1>" in html
    assert 'id="script-shotlist"' in html and "WIDE meeting room" in html
    assert f'href="/videos/{video.id}/script?lang=fr"' in html
    assert f"/videos/{video.id}/script.txt?lang=en" in html
    french = client.get(f"/videos/{video.id}/script?lang=fr").get_data(as_text=True)
    assert 'lang="fr"' in french and "PLAN LARGE" in french
    assert f'href="/videos/{video.id}/script?lang=en"' in french


def test_a_clip_page_keeps_its_range_in_its_links(client, make_video):
    video = make_video()
    html = client.get(f"/videos/{video.id}/script?in=25&out=50&lang=en").get_data(as_text=True)
    assert "SOUNDBITE" in html and "WIDE meeting room" not in html
    assert "in=25" in html and "out=50" in html


def test_unpublished_is_404_and_anyone_may_read_a_published_script(client, make_video):
    hidden = make_video(published=False)
    assert client.get(f"/videos/{hidden.id}/script").status_code == 404
    assert client.get(f"/videos/{hidden.id}/script.txt").status_code == 404
    shown = make_video()
    assert client.get(f"/videos/{shown.id}/script").status_code == 200  # anonymous
    assert client.get(f"/videos/{shown.id}/script?lang=de").status_code == 404

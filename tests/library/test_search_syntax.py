"""The search syntax people expect ("phrases", OR, -word) and the ranking of whole-word
and same-language matches before prefix and other-language ones: SQLite and PostgreSQL."""

from datetime import date, datetime

import pytest

from app.library.query import parse
from tests.library.test_search import EN, titles

FR = {"Accept-Language": "fr"}


@pytest.fixture
def library(make_video):
    make_video(
        title_fr="Le port de Marseille électrifie ses quais",
        title_en="Port of Marseille electrifies its quays",
        summary_fr="Les ferries se branchent au réseau à quai.",
        summary_en="Ferries plug into the grid at the quay.",
        recorded_on=date(2026, 1, 20),
        published_at=datetime(2026, 1, 21, 9),
        tags=("Transport",),
    )
    make_video(
        title_fr="Le glacier d'Argentière recule encore",
        title_en="The Argentière glacier keeps retreating",
        summary_fr="Des glaciologues mesurent le recul du glacier.",
        summary_en="Glaciologists measure the retreat of the glacier.",
        recorded_on=date(2026, 2, 3),
        published_at=datetime(2026, 2, 4, 9),
        tags=("Climat",),
    )
    make_video(
        title_fr="Ouverture du marché de Noël de Strasbourg",
        title_en="Strasbourg Christmas market opens",
        summary_fr="Le plus ancien marché de Noël de France a ouvert ses portes.",
        summary_en="France's oldest Christmas market opened under tight security.",
        recorded_on=date(2025, 12, 14),
        published_at=datetime(2025, 12, 15, 9),
        tags=("Culture",),
    )


def test_the_parser_reads_phrases_or_and_exclusions():
    query = parse('"sommet de l\'OTAN" défense OR defence -ukraine anti-corruption')
    assert [[t.words for t in clause] for clause in query.clauses] == [
        [("sommet", "de", "l", "OTAN")],
        [("défense",), ("defence",)],
        [("anti",)],
        [("corruption",)],
    ]
    assert [t.words for t in query.excluded] == [("ukraine",)]
    assert not parse("-only -excluded")  # nothing to look for
    assert not parse('*:() "" OR')


def test_or_finds_either(client, library):
    found = titles(client, "/videos?q=port+OR+glacier&sort=relevance")
    assert set(found[:2]) == {
        "The Argentière glacier keeps retreating",
        "Port of Marseille electrifies its quays",
    }
    # « portes » (French) stems to "port": found too, but after the whole-word matches.
    assert found[2:] in ([], ["Strasbourg Christmas market opens"])
    assert len(titles(client, "/videos?q=port+OU+glacier", headers=FR)) >= 2


def test_or_binds_tighter_than_the_words_around_it(client, library):
    # "ferries port OR glacier" = ferries AND (port OR glacier): the glacier video has
    # no ferries. (websearch_to_tsquery alone would read (ferries AND port) OR glacier.)
    assert titles(client, "/videos?q=ferries+port+OR+glacier") == [
        "Port of Marseille electrifies its quays"
    ]
    assert titles(client, "/videos?q=glacier+OR+port+ferries") == [
        "Port of Marseille electrifies its quays"
    ]


def test_a_lowercase_or_is_a_word(client, library):
    # French « or » (gold) is a word to look for, not the operator: nothing says it.
    assert titles(client, "/videos?q=glacier+or+port") == []


def test_a_minus_excludes(client, library):
    assert titles(client, "/videos?q=marseille+-ferries") == []
    assert titles(client, "/videos?q=glacier+-marseille") == [
        "The Argentière glacier keeps retreating"
    ]


def test_a_quoted_phrase_keeps_its_word_order(client, library):
    assert titles(client, '/videos?q="christmas+market"') == ["Strasbourg Christmas market opens"]
    assert titles(client, '/videos?q="market+christmas"') == []


def test_whole_words_in_the_readers_language_rank_first(client, library):
    # English "port": the port of Marseille first; the Christmas market, whose French
    # text says « portes », may follow, never before it.
    found = titles(client, "/videos?q=port&sort=relevance")
    assert found[0] == "Port of Marseille electrifies its quays"


def test_hostile_syntax_is_only_text(client, library):
    for q in ['"', "NEAR(port", "port*", "title:port", "^port", "port AND", "-", "OR OR"]:
        response = client.get("/videos", query_string={"q": q}, headers=EN)
        assert response.status_code == 200, q

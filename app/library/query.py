"""The search syntax people type, as web search engines taught them.

    défense europe        both words (each also as the beginning of a longer word)
    "sommet de l'OTAN"    that phrase, words in that order
    port OR glacier       either (``OU`` in French too; ``|`` also)
    -ukraine              without that word (or ``-"a phrase"``)

`parse(text)` turns it into a `Query`: clauses that must all match, each a list of
alternatives (a word or a phrase), and the terms that must not. app/library/search.py
writes it for each database (FTS5 on SQLite, ``websearch_to_tsquery`` on PostgreSQL).
Anything else typed (brackets, stars, colons…) is only a separator: no input can reach
a full-text engine's own syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
OR_WORDS = frozenset({"OR", "OU", "|"})

# A minus means "without" only at the start of a term: "anti-corruption" is two words.
_TOKEN_RE = re.compile(
    r'(?P<neg>(?<!\S)-)?(?:"(?P<phrase>[^"]*)"?|(?P<bar>\|)|(?P<word>[^\W_]+(?:[\'’][^\W_]+)*))',
    re.UNICODE,
)
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or the words of a phrase

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass
class Query:
    clauses: list[list[Term]] = field(default_factory=list)  # AND of ORs
    excluded: list[Term] = field(default_factory=list)

    def __bool__(self):
        return bool(self.clauses)

    def words(self) -> list[str]:
        return [w for clause in self.clauses for term in clause for w in term.words]


def websearch(terms: list[Term], exclude: bool = False) -> str:
    """Alternatives (or exclusions) in web-search syntax, for ``websearch_to_tsquery``.

    One clause at a time: that syntax binds AND tighter than OR and has no brackets,
    so a whole query would read ``a b OR c`` as (a AND b) OR c. Every term is quoted,
    so a word such as French « or » (gold) stays a word; terms hold only letters and
    digits, never quotes.
    """
    quoted = ['"' + " ".join(t.words) + '"' for t in terms]
    return " ".join("-" + q for q in quoted) if exclude else " or ".join(quoted)


def _term(text):
    words = tuple(_WORD_RE.findall(text))
    return Term(words) if words else None


def parse(text: str | None) -> Query:
    """The query in `text`; empty (falsy) when it holds no word to look for."""
    query = Query()
    pending_or = False
    count = 0
    for match in _TOKEN_RE.finditer((text or "")[:MAX_QUERY_LENGTH]):
        neg, phrase, bar, word = match.group("neg", "phrase", "bar", "word")
        if bar or (word in OR_WORDS and not neg):
            pending_or = bool(query.clauses)
            continue
        negated = bool(neg)
        term = _term(phrase if phrase is not None else word)
        if term is None or count >= MAX_TERMS:
            continue
        count += 1
        if negated:
            query.excluded.append(term)
        elif pending_or:
            query.clauses[-1].append(term)
        else:
            query.clauses.append([term])
        pending_or = False
    return query

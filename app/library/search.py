# ruff: noqa: S608 - the DDL below is built from constants, never from input
"""Full-text search over the texts of videos, in both languages, accent-insensitive.

Each database gets the best it offers, built by ``db.create_all()`` through DDL events
on the ``video_texts`` table (the migration must carry the same DDL, see docs/library.md):

* **SQLite**: an external-content FTS5 table ``video_texts_fts`` (title, summary, story,
  shot list, caption words) with the ``porter unicode61 remove_diacritics 2`` tokenizer, kept in sync
  by three triggers on ``video_texts``. Each word of the query matches its stem or any
  word it begins (``"word" OR "word"*``), which covers French plurals and inflections
  the Porter stemmer misses. Relevance: ``bm25`` with the title weighted highest; texts
  that match the words themselves (no prefix) rank before those that match only by a
  prefix, and texts in the reader's language before the other language's.
* **PostgreSQL**: a stored generated column ``video_texts.search_vector`` holding
  ``to_tsvector('french', …) || to_tsvector('english', …)`` of the unaccented texts
  (title weighted A, summary B, story and shot list C, caption words D), with a GIN index. The query is
  the parsed query (app/library/query.py: phrases, OR, exclusions) written back, a
  clause at a time, for ``websearch_to_tsquery`` in both configurations (OR-ed), so
  each language's stemming applies; texts in the reader's language rank first. Accents: the ``unaccent`` extension when it can be created (it needs
  a superuser), else a built-in ``translate()`` of Latin accented letters; both are
  wrapped in the IMMUTABLE function ``rushes_unaccent(text)``. Relevance: ``ts_rank``.

``scored(query)`` returns a subquery of (video_id, score) for the texts that match, and
``matched_videos(query)`` a CTE of the matching video ids; the caller joins them to
``videos`` and applies publication, filters, sort and pagination.
"""

from __future__ import annotations

from functools import reduce

from sqlalchemy import (
    DDL,
    case,
    column,
    event,
    func,
    literal,
    literal_column,
    select,
    table,
    union_all,
)

from app.extensions import db
from app.library.query import Query, Term, parse, websearch
from app.models import VideoText

# Score bonuses: a whole-word match beats any prefix-only one, and a text in the
# reader's language beats the other language's (bm25 and ts_rank stay far below these).
WHOLE_WORD_BONUS = 1000.0
LANGUAGE_BONUS = 100.0

# ------------------------------------------------------------------ SQLite: FTS5

FTS_TABLE = "video_texts_fts"
_FTS_COLUMNS = "title, summary, story, shot_list, captions"
_NEW = "new.title, new.summary, new.story, new.shot_list, new.captions"
_OLD = "old.title, old.summary, old.story, old.shot_list, old.captions"

SQLITE_DDL = [
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({_FTS_COLUMNS}, content='video_texts', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER video_texts_fts_ai AFTER INSERT ON video_texts BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, {_FTS_COLUMNS}) VALUES (new.id, {_NEW}); END",
    f"CREATE TRIGGER video_texts_fts_ad AFTER DELETE ON video_texts BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_FTS_COLUMNS}) "
    f"VALUES ('delete', old.id, {_OLD}); END",
    f"CREATE TRIGGER video_texts_fts_au AFTER UPDATE ON video_texts BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_FTS_COLUMNS}) "
    f"VALUES ('delete', old.id, {_OLD}); "
    f"INSERT INTO {FTS_TABLE}(rowid, {_FTS_COLUMNS}) VALUES (new.id, {_NEW}); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
    # A match gives text ids; this covering index turns them into video ids without
    # reading the rows (a story is ~1 kB): a search for a frequent word is ~40 % faster.
    "CREATE INDEX IF NOT EXISTS ix_video_texts_id_video_id ON video_texts (id, video_id)",
]
SQLITE_DROP_DDL = [f"DROP TABLE IF EXISTS {FTS_TABLE}"]

# ------------------------------------------------------------------ PostgreSQL: tsvector

_ACCENTED = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ"
_PLAIN = "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyy"

POSTGRES_DDL = [
    # unaccent needs a superuser to be created; without it, fall back to translate().
    """DO $$
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS unaccent;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'unaccent is not available: accents are folded by translate()';
  END;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
    EXECUTE format(
      'CREATE OR REPLACE FUNCTION rushes_unaccent(text) RETURNS text
         LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
         AS $f$ SELECT %I.unaccent(%L::regdictionary, $1) $f$',
      (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'unaccent'),
      (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'unaccent') || '.unaccent');
  ELSE
    CREATE OR REPLACE FUNCTION rushes_unaccent(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $f$ SELECT replace(replace(replace(replace(translate($1, '"""
    + _ACCENTED
    + "', '"
    + _PLAIN
    + """'),
        'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE') $f$;
  END IF;
END
$$""",
    """ALTER TABLE video_texts ADD COLUMN IF NOT EXISTS search_vector tsvector
  GENERATED ALWAYS AS (
    setweight(to_tsvector('french'::regconfig, rushes_unaccent(coalesce(title, ''))), 'A') ||
    setweight(to_tsvector('english'::regconfig, rushes_unaccent(coalesce(title, ''))), 'A') ||
    setweight(to_tsvector('french'::regconfig, rushes_unaccent(coalesce(summary, ''))), 'B') ||
    setweight(to_tsvector('english'::regconfig, rushes_unaccent(coalesce(summary, ''))), 'B') ||
    setweight(to_tsvector('french'::regconfig,
      rushes_unaccent(coalesce(story, '') || ' ' || coalesce(shot_list, ''))), 'C') ||
    setweight(to_tsvector('english'::regconfig,
      rushes_unaccent(coalesce(story, '') || ' ' || coalesce(shot_list, ''))), 'C') ||
    setweight(to_tsvector('french'::regconfig, rushes_unaccent(coalesce(captions, ''))), 'D') ||
    setweight(to_tsvector('english'::regconfig, rushes_unaccent(coalesce(captions, ''))), 'D')
  ) STORED""",
    # Inline (compressed) rather than in the TOAST table: ranking reads the vector of
    # every match, and fetching it out of line doubled the time of a frequent word.
    "ALTER TABLE video_texts ALTER COLUMN search_vector SET STORAGE MAIN",
    "CREATE INDEX IF NOT EXISTS ix_video_texts_search_vector "
    "ON video_texts USING gin (search_vector)",
]


def _install_ddl():
    table = VideoText.__table__
    for statement in SQLITE_DDL:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in SQLITE_DROP_DDL:
        event.listen(table, "before_drop", DDL(statement).execute_if(dialect="sqlite"))
    for statement in POSTGRES_DDL:
        # DDL() formats its text with %: double the percent signs of the DO block.
        event.listen(
            table,
            "after_create",
            DDL(statement.replace("%", "%%")).execute_if(dialect="postgresql"),
        )


_install_ddl()


# ------------------------------------------------------------------ queries


def terms(query: str) -> list[str]:
    """The words of a query that are looked for (not the excluded ones)."""
    return parse(query).words()


def _fts5_term(term: Term, prefixes: bool) -> str:
    if term.is_phrase:
        return '"' + " ".join(term.words) + '"'
    word = term.words[0]
    # Prefixes only for words of 4 letters or more: "le"* would expand to thousands.
    return f'("{word}" OR "{word}"*)' if prefixes and len(word) >= 4 else f'"{word}"'


def fts5_query(query: str | Query, prefixes: bool = True) -> str | None:
    """`défense "de l'OTAN" OR nato -ukraine` →
    `(("défense" OR "défense"*)) AND ("de l OTAN" OR "nato") NOT "ukraine"`."""
    parsed = parse(query) if isinstance(query, str) else query
    if not parsed:
        return None
    clauses = " AND ".join(
        "(" + " OR ".join(_fts5_term(t, prefixes) for t in clause) + ")"
        for clause in parsed.clauses
    )
    excluded = "".join(f" NOT {_fts5_term(t, False)}" for t in parsed.excluded)
    return f"({clauses}){excluded}" if excluded else clauses


def scored(query: str, lang: str | None = None):
    """(video_id, score) of each matching text, higher is better: a subquery or a CTE.

    A video whose texts match in both languages has two rows (and a text matching as a
    whole word and by prefix, two too): the caller groups by video and keeps the best
    score. Grouping there rather than here lets the database join, filter and group in
    one pass (SQLite: 8.4 → 6.9 ms for a word in a third of the videos). None when the
    query has no words.
    """
    parsed = parse(query)
    if not parsed:
        return None
    if db.engine.dialect.name == "postgresql":
        return _scored_postgres(parsed, lang)
    return _scored_sqlite(parsed, lang)


def matching_ids(query: str):
    """Select of the ids of videos whose texts match (no ranking: for counts and date order).

    None when the query has no words.
    """
    parsed = parse(query)
    if not parsed:
        return None
    if db.engine.dialect.name == "postgresql":
        return select(VideoText.video_id).where(
            literal_column("video_texts.search_vector").op("@@")(_tsquery(parsed))
        )
    fts = table(FTS_TABLE, column("rowid"))
    hits = select(fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(fts5_query(parsed)))
    return select(VideoText.video_id).where(VideoText.id.in_(hits))


def matched_videos(query: str):
    """CTE (video_id) of the videos whose texts match, each once; None without words.

    Materialized on purpose: with the total of a page computed by a window function,
    PostgreSQL otherwise walks ``videos`` by date and tests every row against the
    full-text condition (150 ms for a word found in 13 % of the videos, against 6 ms
    when the index finds the matches first).
    """
    ids = matching_ids(query)
    if ids is None:
        return None
    return ids.distinct().cte("matched").prefix_with("MATERIALIZED")


def _language_bonus(lang):
    if not lang:
        return literal(0.0)
    return case((VideoText.lang == lang, LANGUAGE_BONUS), else_=0.0)


def _fts_scores(fts_query, bonus):
    fts = table(FTS_TABLE, column("rowid"))
    # bm25() is only allowed in a plain full-text query: score first, join outside.
    bm25 = literal_column(f"bm25({FTS_TABLE}, 10.0, 4.0, 1.0, 1.0, 0.5)")
    return (
        select(fts.c.rowid.label("text_id"), (literal(bonus) - bm25).label("score"))
        .select_from(fts)
        .where(literal_column(FTS_TABLE).op("MATCH")(fts_query))
    )


def _scored_sqlite(parsed, lang):
    whole, prefixed = fts5_query(parsed, prefixes=False), fts5_query(parsed)
    parts = [_fts_scores(whole, WHOLE_WORD_BONUS)]
    if prefixed != whole:
        parts.append(_fts_scores(prefixed, 0.0))
    texts = (union_all(*parts) if len(parts) > 1 else parts[0]).cte("scored")
    texts = texts.prefix_with("MATERIALIZED")
    # Materialized too: inlined, SQLite carried the caller's filters into the join (a
    # category's 900 video ids tried against each of 3,000 matching texts: 25 ms).
    stmt = select(
        VideoText.video_id.label("video_id"), (texts.c.score + _language_bonus(lang)).label("score")
    ).join(texts, texts.c.text_id == VideoText.id)
    return stmt.cte("matches").prefix_with("MATERIALIZED")


def _readings(text: str, operator: str):
    """`text` read by ``websearch_to_tsquery`` in each configuration, each stemming its
    own way (a text's vector holds both readings), joined by `operator`."""
    unaccented = func.rushes_unaccent(text)
    readings = (
        func.websearch_to_tsquery(literal_column(f"'{config}'::regconfig"), unaccented)
        for config in ("french", "english")
    )
    return reduce(lambda a, b: a.op(operator)(b), readings)


def _tsquery(parsed: Query):
    """The query in both configurations, as a one-row subquery: computed once.

    Each clause is one ``websearch_to_tsquery`` per configuration, either reading may
    match; an excluded term must match in neither. The clauses are AND-ed here (&& keeps
    each clause's OR together).

    psycopg prepares a statement run often; after a few runs PostgreSQL may keep a generic
    plan, where the tsquery is no longer folded into a constant but evaluated for every
    row ranked (3x slower for a frequent word). A scalar subquery is an InitPlan,
    evaluated once per execution whatever the plan.
    """
    parts = [_readings(websearch(clause), "||") for clause in parsed.clauses]
    parts += [_readings(websearch([term], exclude=True), "&&") for term in parsed.excluded]
    return select(reduce(lambda a, b: a.op("&&")(b), parts)).scalar_subquery()


def _scored_postgres(parsed, lang):
    tsquery = _tsquery(parsed)
    vector = literal_column("video_texts.search_vector")
    # Materialized: narrow (video_id, score) rows; grouping the matching rows themselves
    # sorted their 3 kB vectors (on disk, for a frequent word) when the estimate was low.
    score = func.ts_rank(vector, tsquery) + _language_bonus(lang)
    texts = (
        select(VideoText.video_id.label("video_id"), score.label("score"))
        .where(vector.op("@@")(tsquery))
        .cte("scored")
        .prefix_with("MATERIALIZED")
    )
    return select(texts.c.video_id, texts.c.score).subquery("matches")

"""Hostile input on every route: no answer is a 5xx, and nothing is logged as an error.

Every rule of the URL map is walked as an anonymous visitor, a verified user and a staff
member, with hostile values in the path, the query, form and JSON bodies and headers:
huge, negative and non-ASCII numbers, NUL characters, invalid UTF-8, deep JSON, wrong
types, file parts under text fields' names, missing and repeated fields.

CSRF is off here so that hostile bodies reach the views (CSRF itself is tested elsewhere).
The counts are printed (pytest -s) for the record.
"""

import io
import logging
import re
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from app.clock import utcnow
from app.extensions import db
from app.models import User, Video, VideoText
from app.models.newsletter import NewsletterIssue
from app.security.passwords import hash_password
from tests.conftest import PASSWORD

HUGE_INTS = ["0", "2147483648", "9223372036854775808", "1" + "0" * 30]
HOSTILE_TEXT = ["%00", "%ff%fe", "..%2F..%2Fetc%2Fpasswd", "%C3%A9" * 40, "a" * 600, "%C2%B2"]

QUERIES = [
    "?page=99999999999999999999&per_page=-1",
    "?page=%C2%B2&q=%00",
    "?q=%22unclosed+OR+-+OR&tag=%00&location=%00",
    "?from=9999-12-31&to=9999-12-31",
    "?from=0000-00-00&to=2026-02-31&date_from=x",
    "?ids=%C2%B2,1&ids=-1",
    "?sort=%ff&lang=%00&kind=%00",
    "?next=//evil.example&next=%00",
    "?in=1e309&out=-5&in_frame=%C2%B2",
    "?q=a&q=b&page=1&page=2",
    "?%ff=%fe",
]

FIELDS = [
    "email",
    "password",
    "password_confirm",
    "code",
    "full_name",
    "organisation",
    "language",
    "next",
    "in",
    "out",
    "in_frame",
    "out_frame",
    "in_tc",
    "out_tc",
    "ids",
    "subject_fr",
    "subject_en",
    "title_fr",
    "title_en",
    "shot_list_fr",
    "recorded_on",
    "accept",
    "video_ids",
    "lang",
]


def _form_bodies():
    yield {"data": {f: "\x00" for f in FIELDS}}
    yield {"data": {f: "9" * 40 for f in FIELDS}}
    yield {"data": {f: "²³" for f in FIELDS}}
    yield {"data": {f: "-1" for f in FIELDS}}
    yield {"data": {f: "x" * 5000 for f in FIELDS}}
    yield {"data": MultiDict([(f, v) for f in FIELDS for v in ("a@example.org", "1")])}
    yield {"data": {}}
    yield {"data": {f: (io.BytesIO(b"GIF89a\x00"), "x.gif") for f in FIELDS[:6]}}
    yield {"data": b"\xff\xfe\x00invalid", "content_type": "application/x-www-form-urlencoded"}


def _json_bodies():
    for raw in (
        "[" * 30000,
        "{" * 5000,
        '{"email": 1, "password": 2, "in": 1e309, "out": [], "in_frame": {"$gt": 1}}',
        '{"email": "\\u0000", "in_frame": "\\u0000"}',
        '"a string"',
        "[]",
        "null",
        '{"in_frame": 9223372036854775808, "out_frame": -9223372036854775809}',
        '{"in_frame": "²", "out_frame": true}',
    ):
        yield {"data": raw, "content_type": "application/json"}
    yield {"data": b"\xff\xfe{", "content_type": "application/json"}


HEADERS = [
    {"Range": "bytes=99999999999999999999999-", "If-Range": "garbage"},
    {"Range": "bytes=5-1,-0", "If-None-Match": '"\x7f"', "If-Modified-Since": "yesterday"},
    {"Accept-Language": "zz-ZZ;q=abc,*;q=-1", "Accept": "application/json"},
    {
        "Tus-Resumable": "9.9.9",
        "Upload-Length": "-1",
        "Upload-Offset": "99999999999999999999",
        "Upload-Metadata": "filename %%%, filetype",
        "Content-Type": "application/offset+octet-stream",
    },
]


def _path_defaults(sample):
    return {
        "video_id": str(sample["video"]),
        "issue_id": str(sample["issue"]),
        "request_id": "1",
        "upload_id": "0123456789abcdef",
        "name": "original",
        "filename": "poster.jpg",
        "lang": "fr",
        "token": "abc",
        "kind": "videos",
        "slug": "x",
        "frame": "3",
        "ext": "png",
    }


_ARG = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _build(rule, values):
    # A variable the table does not know gets "1": a new route is walked, never skipped.
    return _ARG.sub(lambda m: values.get(m.group("name"), "1"), rule.rule)


def _path_variants(rule, sample):
    defaults = _path_defaults(sample)
    yield _build(rule, defaults)
    for match in _ARG.finditer(rule.rule):
        name, conv = match.group("name"), match.group("conv") or "string"
        hostile = HUGE_INTS + ["-1", "%C2%B2"] if conv in ("int", "id") else HOSTILE_TEXT
        for value in hostile:
            yield _build(rule, {**defaults, name: value})


def _requests(rule, sample):
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"}) or ["OPTIONS"]
    base = _build(rule, _path_defaults(sample))
    for method in methods:
        for path in _path_variants(rule, sample):
            yield method, path, {}
        if method == "GET":
            for query in QUERIES:
                yield method, base + query, {}
            for headers in HEADERS:
                yield method, base, {"headers": headers}
        else:
            for body in (*_form_bodies(), *_json_bodies()):
                yield method, base, body
            for headers in HEADERS:
                yield method, base, {"headers": headers, "data": b"x" * 10}
            yield method, base + QUERIES[1], {}


def _user(email, staff):
    user = User.by_email(email)
    if user is None:
        user = User(
            email=email,
            full_name="Fuzz",
            organisation="Fuzz",
            password_hash=hash_password(PASSWORD),
            verified_at=utcnow(),
            terms_accepted_at=utcnow(),
            is_staff=staff,
        )
        db.session.add(user)
        db.session.commit()
    return user


def _client(app, role):
    client = app.test_client()
    if role != "anonymous":
        user = _user(f"{role}@example.org", staff=role == "staff")
        with client.session_transaction() as session:
            session["_user_id"] = user.session_token
            session["_fresh"] = True
    return client


@pytest.fixture
def fuzz_app(app_config, request, monkeypatch):
    from app.extensions import limiter

    app_config["WTF_CSRF_ENABLED"] = False
    app_config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 here, as in production
    # Off for this test only: RATELIMIT_ENABLED would switch off the one Limiter object
    # of every app built after it.
    monkeypatch.setattr(limiter, "enabled", False)
    return request.getfixturevalue("app")


@pytest.fixture
def sample(fuzz_app):
    video = Video(
        slug="fuzz",
        status="ready",
        published=True,
        published_at=utcnow(),
        recorded_on=date(2026, 3, 14),
        original_filename="master.mov",
        duration=2.0,
        fps_num=25,
        fps_den=1,
        frame_count=50,
        width=1920,
        height=1080,
        start_timecode="10:00:00:00",
        media_info={"start_timecode": "10:00:00:00", "frame_rate_num": 25, "frame_rate_den": 1},
    )
    video.texts = [VideoText(lang="fr", title="Essai"), VideoText(lang="en", title="Test")]
    issue = NewsletterIssue(subject_fr="Essai", subject_en="Test")
    db.session.add_all([video, issue])
    db.session.commit()
    return {"video": video.id, "issue": issue.id}


def test_no_route_answers_5xx_to_hostile_input(fuzz_app, sample, caplog):
    rules = [r for r in fuzz_app.url_map.iter_rules() if r.endpoint != "static"]
    failures, sent = [], 0
    caplog.set_level(logging.ERROR)
    for rule in rules:
        for role in ("anonymous", "user", "staff"):
            for method, url, kwargs in _requests(rule, sample):
                client = _client(fuzz_app, role)
                response = client.open(url, method=method, **kwargs)
                sent += 1
                if response.status_code >= 500:
                    failures.append(
                        f"{response.status_code} {role} {method} {url[:120]} {kwargs}"[:300]
                    )
                response.close()
            db.session.rollback()
    errors = [r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.ERROR]
    print(f"\nfuzz: {len(rules)} routes walked, {sent} requests sent, {len(failures)} answered 5xx")
    assert not failures, "\n".join(failures[:60])
    assert not errors, "\n".join(errors[:20])

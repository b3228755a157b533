# ruff: noqa: SIM905 - word lists are easier to read as strings
"""Fill a database with N published videos (default 10,000) for the library benchmarks.

Each video has French and English texts (title, summary, a story of a few sentences and
a shot list) drawn from a news vocabulary, a recording date over three years, a location,
one or two categories and a rendition ladder. No media file is written: the list page
and the search only read the database (poster URLs are rendered, not fetched).

    .venv/bin/python benchmarks/make_fixtures.py --database sqlite:///benchmarks/out/library.db
    .venv/bin/python benchmarks/make_fixtures.py \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/bench_library

The schema is (re)built with db.create_all(), full-text triggers and indexes included.
"""

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FR_WORDS = (
    "ministre défense sommet européen réunion élection président gouvernement grève "
    "inondation incendie tempête récolte agriculteurs énergie prix marché banque "
    "hôpital école université police justice tribunal procès manifestation accord "
    "traité frontière migrants port aéroport train autoroute pont chantier usine "
    "entreprise emploi chômage budget impôt réforme retraite santé vaccin épidémie "
    "climat sécheresse glacier forêt océan pêche festival musée concert football "
    "rugby cyclisme marathon olympiques visite diplomatique conférence presse"
).split()
EN_WORDS = (
    "minister defence summit european meeting election president government strike "
    "flood fire storm harvest farmers energy price market bank hospital school "
    "university police justice court trial protest agreement treaty border migrants "
    "harbour airport train motorway bridge building factory company jobs unemployment "
    "budget tax reform pension health vaccine epidemic climate drought glacier forest "
    "ocean fishing festival museum concert football rugby cycling marathon olympics "
    "visit diplomatic conference press"
).split()
LOCATIONS = (
    "Paris Lyon Marseille Bordeaux Lille Toulouse Nantes Strasbourg Bruxelles Genève "
    "Dakar Abidjan Montréal Québec Luxembourg Berlin Madrid Rome Londres Tunis"
).split()
CATEGORIES = (
    "Politique Économie Société Climat Santé Culture Sport International Justice "
    "Défense Agriculture Transports Éducation Sciences Religion Médias"
).split()
SHOTS = ("PLAN LARGE", "GROS PLAN", "PLAN MOYEN", "SOUNDBITE (French)", "PANORAMIQUE")
FR_STOP = "le la les de des du un une et à en dans pour sur au aux par avec qui que est ont".split()
EN_STOP = "the of and to in a for on with by at from that is was were has have are as".split()
SYLLABLES = "ba be bi bo cha che cla co da de di do fa fe fi ga ge go la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo".split()


class Vocabulary:
    """Words drawn with Zipf frequencies, as in real text: a few very common words, a long
    tail of rare ones. The news words sit between ranks 100 and 2,000, so that each is
    found in a few percent of the stories, like real topical words."""

    def __init__(self, rng, stop, news, size=8000):
        words, seen = list(stop), set(stop)
        while len(words) < size:
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            if word not in seen:
                seen.add(word)
                words.append(word)
        for i, word in enumerate(news):
            words[100 + i * (1900 // len(news))] = word
        self.words = words
        self.cumulative = []
        total = 0.0
        for rank in range(1, len(words) + 1):
            total += 1.0 / rank
            self.cumulative.append(total)

    def sample(self, rng, n):
        return rng.choices(self.words, cum_weights=self.cumulative, k=n)


def sentence(rng, vocabulary, n):
    return " ".join(vocabulary.sample(rng, n)).capitalize() + "."


def shot_list(rng, vocabulary):
    lines = []
    for i in range(rng.randint(4, 9)):
        lines.append(f"10:00:{i * 6:02d}:00 {rng.choice(SHOTS)} {sentence(rng, vocabulary, 5)}")
    return "\n".join(lines)


def build(database, count, seed=7, batch=1000):
    import config
    from app import create_app
    from app.extensions import db
    from app.models import Rendition, Tag, Video, VideoText
    from app.models.videos import video_tags

    app = create_app(config.Config, SQLALCHEMY_DATABASE_URI=database)
    rng = random.Random(seed)
    vocabularies = {
        "fr": Vocabulary(rng, FR_STOP, FR_WORDS),
        "en": Vocabulary(rng, EN_STOP, EN_WORDS),
    }
    start = time.perf_counter()
    with app.app_context():
        db.drop_all()
        db.create_all()
        tag_ids = {}
        for name in CATEGORIES:
            tag = Tag(name=name)
            db.session.add(tag)
            db.session.flush()
            tag_ids[name] = tag.id
        db.session.commit()
        base_day = date(2023, 1, 1)
        for first in range(1, count + 1, batch):
            ids = range(first, min(first + batch, count + 1))
            videos, texts, renditions, links = [], [], [], []
            for vid in ids:
                recorded = base_day + timedelta(days=rng.randint(0, 3 * 365))
                published = datetime.combine(recorded, datetime.min.time()) + timedelta(
                    days=1, minutes=vid
                )
                videos.append(
                    {
                        "id": vid,
                        "slug": f"video-{vid}",
                        "status": "ready",
                        "progress": 1.0,
                        "published": True,
                        "published_at": published,
                        "created_at": published,
                        "updated_at": published,
                        "recorded_on": recorded,
                        "credit": "© Rushes, 2026",
                        "original_filename": "master.mov",
                        "master_path": f"videos/{vid}/master.mov",
                        "master_size": rng.randint(2, 40) * 10**9,
                        "duration": rng.uniform(30, 600),
                        "fps_num": 25,
                        "fps_den": 1,
                        "frame_count": 2500,
                        "width": 1920,
                        "height": 1080,
                        "start_timecode": "10:00:00:00",
                        "poster_path": f"videos/{vid}/poster.jpg",
                        "thumbs_path": f"videos/{vid}/thumbs.jpg",
                    }
                )
                place = rng.choice(LOCATIONS)
                for lang, words in vocabularies.items():
                    texts.append(
                        {
                            "video_id": vid,
                            "lang": lang,
                            "title": sentence(rng, words, rng.randint(4, 8))[:-1],
                            "summary": " ".join(sentence(rng, words, 12) for _ in range(2)),
                            "story": "\n".join(sentence(rng, words, 15) for _ in range(8)),
                            "shot_list": shot_list(rng, words),
                            "location": place,
                        }
                    )
                for name, height in (("proxy", 540), ("fhd", 1080), ("hd", 720)):
                    renditions.append(
                        {
                            "video_id": vid,
                            "name": name,
                            "path": f"videos/{vid}/{name}.mp4",
                            "size": rng.randint(10**8, 3 * 10**9),
                            "width": height * 16 // 9,
                            "height": height,
                        }
                    )
                for name in rng.sample(CATEGORIES, rng.randint(1, 2)):
                    links.append({"video_id": vid, "tag_id": tag_ids[name]})
            db.session.execute(db.insert(Video), videos)
            db.session.execute(db.insert(VideoText), texts)
            db.session.execute(db.insert(Rendition), renditions)
            db.session.execute(db.insert(video_tags), links)
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("SELECT setval('videos_id_seq', :n)"), {"n": count})
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(db.text("VACUUM ANALYZE"))
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        db.engine.dispose()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL (emptied first)")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    seconds = build(args.database, args.count, args.seed)
    print(f"{args.count} published videos written to {args.database} in {seconds:.1f} s")


if __name__ == "__main__":
    main()

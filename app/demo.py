"""Demo content for `flask rushes demo` (and `make run`): a staff account and four
published videos with texts in French and English.

The masters are generated with PyAV (app/demo_master.py, no system ffmpeg). One
carries a start timecode (10:00:00:00) and two audio streams (international sound, a
French voice-over, named so on its technical sheet), one is 1080i25 (x264 interlaced,
top field first). They are ingested synchronously through the normal ingest path, so
the site is ready at once.

Idempotent: the staff account is created once (its password is kept in
instance/demo-credentials.txt, mode 600, and printed each run); a demo video is
recognised by its original file name and made only when missing (or re-ingested if a
previous run left it failed).
"""

import os
import secrets
import string
import tempfile
from datetime import date
from pathlib import Path

from flask import current_app

from app import storage
from app.admin.forms import slugify
from app.admin.service import publish
from app.clock import utcnow
from app.demo_master import generate_master
from app.extensions import db
from app.ingest.service import place_master, run_ingest
from app.models import AudioLabel, Tag, TagName, User, Video, VideoText
from app.security.passwords import hash_password, policy_errors, verify_password

STAFF_EMAIL = "staff@rushes.local"

# Shot lists are in each master's timecode: the defence master starts at 10:00:00:00.
DEFENCE_SHOTS_FR = """10:00:00:00 Plan large de la salle de réunion, les ministres prennent place
10:00:02:12 Plan moyen, poignée de main entre deux ministres devant les drapeaux
10:00:04:00 SONORE (français) Ministre des Armées : « Notre sécurité collective se joue maintenant. »
10:00:07:05 Gros plan sur les documents de travail et les micros
10:00:09:00 Travelling le long de la table de réunion
10:00:11:10 Photo de famille des ministres sur les marches
10:00:13:20 Plan d'ensemble de l'extérieur du bâtiment, drapeaux au vent"""

DEFENCE_SHOTS_EN = """10:00:00:00 Wide shot of the meeting room, ministers taking their seats
10:00:02:12 Medium shot, two ministers shaking hands in front of the flags
10:00:04:00 SOUNDBITE (French) Minister for the Armed Forces: "Our collective security is at stake now."
10:00:07:05 Close-up of working papers and microphones
10:00:09:00 Tracking shot along the meeting table
10:00:11:10 Family photo of the ministers on the steps
10:00:13:20 Exterior wide shot of the building, flags in the wind"""

#: English names of the demo's categories (their keys are French).
CATEGORY_NAMES_EN = {
    "défense": "defence",
    "politique": "politics",
    "environnement": "environment",
    "climat": "climate",
    "montagne": "mountains",
    "économie": "economy",
    "Méditerranée": "Mediterranean",
    "société": "society",
}

USAGE_TERMS = {
    "fr": "Libre de droits pour usage éditorial. Mention obligatoire du crédit.",
    "en": "Free for editorial use. Credit required.",
}

DEMOS = [
    {
        "file": "demo-defence-ministers.mp4",
        "size": (1280, 720),
        "seconds": 15,
        "tint": (150, 116),
        "timecode": "10:00:00:00",
        # international sound (1 kHz) and a French voice-over (500 Hz)
        "tones": (1000, 500),
        "audio_labels": {
            "1": {"fr": "Son international", "en": "International sound"},
            "2": {"fr": "Voix off (français)", "en": "French voice-over"},
        },
        "recorded_on": date(2026, 3, 12),
        "location": {"fr": "Bruxelles, Belgique", "en": "Brussels, Belgium"},
        "tags": ["défense", "Europe", "politique"],
        "texts": {
            "fr": {
                "title": "Réunion des ministres de la Défense de l'Union européenne à Bruxelles",
                "summary": "Les ministres de la Défense des Vingt-Sept se sont réunis à Bruxelles "
                "pour discuter du financement commun de l'industrie de défense et du soutien "
                "à l'Ukraine.",
                "story": "Les ministres de la Défense de l'Union européenne se sont retrouvés "
                "jeudi à Bruxelles pour une réunion consacrée au renforcement de l'industrie "
                "européenne de défense.\n\nAu menu des discussions : un fonds commun pour "
                "les achats d'armement, l'accélération de la production de munitions et la "
                "poursuite de l'aide militaire à l'Ukraine. Plusieurs délégations ont plaidé "
                "pour des commandes groupées afin de réduire les délais de livraison.\n\n"
                "La ministre des Armées a appelé ses homologues à « passer des annonces aux "
                "actes » avant le prochain Conseil européen.",
                "shot_list": DEFENCE_SHOTS_FR,
            },
            "en": {
                "title": "EU defence ministers meet in Brussels",
                "summary": "Defence ministers of the 27 met in Brussels to discuss joint "
                "funding for the defence industry and support for Ukraine.",
                "story": "European Union defence ministers met in Brussels on Thursday for "
                "talks on strengthening Europe's defence industry.\n\nOn the agenda: a "
                "common fund for arms purchases, faster production of ammunition and "
                "continued military aid to Ukraine. Several delegations argued for joint "
                "orders to shorten delivery times.\n\nThe French minister for the armed "
                'forces urged her counterparts to "move from announcements to action" '
                "before the next European Council.",
                "shot_list": DEFENCE_SHOTS_EN,
            },
        },
    },
    {
        "file": "demo-alpine-glacier.mp4",
        "size": (1280, 720),
        "seconds": 15,
        "tint": (138, 112),
        "recorded_on": date(2026, 2, 3),
        "location": {"fr": "Chamonix, France", "en": "Chamonix, France"},
        "tags": ["environnement", "climat", "montagne"],
        "texts": {
            "fr": {
                "title": "Le glacier d'Argentière recule encore",
                "summary": "Des glaciologues mesurent le recul du glacier d'Argentière, "
                "qui a perdu plus de quarante mètres en un an.",
                "story": "Chaque hiver, une équipe de glaciologues grenoblois mesure "
                "l'épaisseur et la position du front du glacier d'Argentière. Les relevés de "
                "cette année confirment une accélération de la fonte.\n\nLes chercheurs "
                "installent de nouvelles balises GPS pour suivre l'écoulement de la glace "
                "tout au long de l'année.",
                "shot_list": "00:00:00:00 Vue aérienne du glacier\n"
                "00:00:05:00 Les glaciologues installent une balise GPS\n"
                "00:00:10:00 SONORE (français) Glaciologue : « En vingt ans, le front a "
                "reculé de près d'un kilomètre. »\n"
                "00:00:12:00 Plan large de la vallée de Chamonix",
            },
            "en": {
                "title": "The Argentière glacier keeps retreating",
                "summary": "Glaciologists measure the retreat of the Argentière glacier, "
                "which lost more than forty metres in a year.",
                "story": "Every winter, a team of glaciologists from Grenoble measures the "
                "thickness and the front of the Argentière glacier. This year's readings "
                "confirm that melting is speeding up.\n\nThe researchers are installing new "
                "GPS beacons to follow the flow of the ice all year round.",
                "shot_list": "00:00:00:00 Aerial view of the glacier\n"
                "00:00:05:00 Glaciologists install a GPS beacon\n"
                '00:00:10:00 SOUNDBITE (French) Glaciologist: "In twenty years the front '
                'has retreated by almost a kilometre."\n'
                "00:00:12:00 Wide shot of the Chamonix valley",
            },
        },
    },
    {
        "file": "demo-port-of-marseille.mp4",
        "size": (1280, 720),
        "seconds": 15,
        "tint": (112, 142),
        "recorded_on": date(2026, 1, 20),
        "location": {"fr": "Marseille, France", "en": "Marseille, France"},
        "tags": ["économie", "transport", "Méditerranée"],
        "texts": {
            "fr": {
                "title": "Le port de Marseille électrifie ses quais",
                "summary": "Les ferries et paquebots peuvent désormais se brancher au réseau "
                "électrique à quai plutôt que de faire tourner leurs moteurs.",
                "story": "Le Grand Port maritime de Marseille a mis en service de nouveaux "
                "raccordements électriques pour les navires à quai. Objectif : réduire la "
                "pollution de l'air dans les quartiers proches du port.\n\nLes compagnies "
                "de ferries vers la Corse et le Maghreb sont les premières concernées.",
                "shot_list": "00:00:00:00 Un ferry accoste au port de la Joliette\n"
                "00:00:06:00 Des techniciens branchent le câble d'alimentation\n"
                "00:00:12:00 Plan large des quais et de la ville",
            },
            "en": {
                "title": "Port of Marseille electrifies its quays",
                "summary": "Ferries and cruise ships can now plug into the grid at the quay "
                "instead of running their engines.",
                "story": "The port of Marseille has opened new shore power connections for "
                "ships at berth, to cut air pollution in the districts next to the port.\n\n"
                "Ferry companies sailing to Corsica and North Africa are the first to use "
                "them.",
                "shot_list": "00:00:00:00 A ferry berths at La Joliette\n"
                "00:00:06:00 Technicians connect the power cable\n"
                "00:00:12:00 Wide shot of the quays and the city",
            },
        },
    },
    {
        "file": "demo-night-market-1080i.mp4",
        "size": (1920, 1080),
        "seconds": 8,
        "tint": (128, 128),
        "interlaced": True,
        "recorded_on": date(2025, 12, 14),
        "location": {"fr": "Strasbourg, France", "en": "Strasbourg, France"},
        "tags": ["culture", "société"],
        "texts": {
            "fr": {
                "title": "Ouverture du marché de Noël de Strasbourg",
                "summary": "Le plus ancien marché de Noël de France a ouvert ses portes "
                "sous haute surveillance.",
                "story": "Le marché de Noël de Strasbourg, créé en 1570, accueille cette "
                "année plus de trois cents chalets. Les autorités attendent plus de deux "
                "millions de visiteurs.",
                "shot_list": "00:00:00:00 Illuminations de la place Kléber\n"
                "00:00:05:00 Visiteurs entre les chalets",
            },
            "en": {
                "title": "Strasbourg Christmas market opens",
                "summary": "France's oldest Christmas market opened under tight security.",
                "story": "The Strasbourg Christmas market, founded in 1570, has more than "
                "three hundred stalls this year. The authorities expect over two million "
                "visitors.",
                "shot_list": "00:00:00:00 Lights on Place Kléber\n"
                "00:00:05:00 Visitors between the stalls",
            },
        },
    },
]


# ---------------------------------------------------------------- the staff account


def _generate_password():
    alphabet = string.ascii_letters + string.digits
    while True:
        words = ["".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4)]
        password = "-".join(words) + "!" + str(secrets.randbelow(90) + 10)
        if not policy_errors(password, email=STAFF_EMAIL):
            return password


def credentials_path():
    configured = current_app.config.get("DEMO_CREDENTIALS_FILE")
    return Path(configured or Path(current_app.instance_path) / "demo-credentials.txt")


def ensure_staff():
    """The demo staff account and its password (created once, then read back)."""
    path = credentials_path()
    password = None
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith("password:"):
                password = line.split(":", 1)[1].strip()
    user = User.by_email(STAFF_EMAIL)
    if user is not None and password and verify_password(user.password_hash, password):
        return user, password
    password = _generate_password()
    if user is None:
        user = User(email=STAFF_EMAIL, full_name="Rushes Staff", organisation="Rushes")
        db.session.add(user)
    user.password_hash = hash_password(password)
    user.is_staff = True
    user.verified_at = user.verified_at or utcnow()
    user.terms_accepted_at = user.terms_accepted_at or utcnow()
    user.rotate_session_token()
    db.session.commit()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"Rushes demo staff account\nemail: {STAFF_EMAIL}\npassword: {password}\n")
    os.chmod(path, 0o600)
    return user, password


# ---------------------------------------------------------------- masters, with PyAV


# ---------------------------------------------------------------- the demo itself


def _find(original_filename):
    return db.session.execute(
        db.select(Video).where(Video.original_filename == original_filename).limit(1)
    ).scalar_one_or_none()


def _describe(video, spec):
    video.recorded_on = spec["recorded_on"]
    video.credit = f"© {current_app.config['SITE_NAME']}, {spec['recorded_on'].year}"
    for lang, values in spec["texts"].items():
        text = VideoText(lang=lang, location=spec["location"][lang], **values)
        text.usage_terms = USAGE_TERMS[lang]
        video.texts.append(text)
    tags = []
    for name in spec["tags"]:
        tag = db.session.execute(db.select(Tag).filter_by(name=name)).scalar_one_or_none()
        if tag is None:
            tag = Tag(name=name)
            english = CATEGORY_NAMES_EN.get(name)
            if english:
                tag.names.append(TagName(lang="en", name=english))
        tags.append(tag)
    video.tags = tags
    video.slug = slugify(spec["texts"]["fr"]["title"])
    video.audio_labels = [
        AudioLabel(track=track, lang=lang, label=label)
        for track, labels in spec.get("audio_labels", {}).items()
        for lang, label in labels.items()
    ]


def run_demo(echo=print, progress=None):
    """Create what is missing of the demo; returns (user, password, created count, ids
    of the videos published now: the caller queues their saved-search alerts)."""
    user, password = ensure_staff()
    created = 0
    published = []
    for spec in DEMOS:
        video = _find(spec["file"])
        if video is not None and video.status == "ready":
            continue
        if video is None:
            echo(f"Generating {spec['file']} with PyAV…")
            video = Video(
                status="queued",
                original_filename=spec["file"],
                uploaded_by_id=user.id,
            )
            _describe(video, spec)
            db.session.add(video)
            db.session.commit()
            with tempfile.TemporaryDirectory(dir=storage.uploads_dir()) as tmp:
                master = Path(tmp) / spec["file"]
                generate_master(
                    master,
                    size=spec["size"],
                    seconds=spec["seconds"],
                    tint=spec["tint"],
                    timecode=spec.get("timecode"),
                    interlaced=spec.get("interlaced", False),
                    tones=spec.get("tones", (1000,)),
                )
                place_master(video, master)
            created += 1
        echo(f"Ingesting {spec['file']}…")
        video = run_ingest(video.id, progress=progress)
        if video.status == "ready":
            if publish(video):
                published.append(video.id)
        else:
            echo(f"  failed: {video.error}")
    return user, password, created, published

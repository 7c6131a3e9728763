"""Build the demo community: our users' world around Lille, in French.

Three series (Blog en Nord, Mercredi Web Analytics, DevCom Lille), venues in Lille, Bergues and
Calais, ~150 members with online identities and a clustered tie graph, a year of past events
with RSVPs and recap links, and three months of upcoming ones (one nearly full, one full with a
waitlist, a date hold, a cancelled evening). Deterministic for a given `--seed`; dates are
relative to today, evenings at 19:00 Paris time.

The dates tell the story the pages read: members joined over five years and added their ties
since (many before the evenings where they met, some in the days after); RSVPs come when an
event is announced, then as a trickle, then in a surge in the last three days, and upcoming
editions follow their past ones (the nearest lagging behind, so the organiser workspace shows
both "on track" and "behind"). Each evening mixes circles of friends, a few members at home in
two circles, a small group from another community and 12-17 % who know none of the others.
"""

import datetime as dt
import io
import itertools
import random
import zoneinfo
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from community import photos
from community.models import Identity, Network, Tie, User
from events import cache, pictures
from events.models import RSVP, Event, EventLink, Meeting, Series, SeriesLink, Venue, Weekday

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEMO_PASSWORD = "rencontres-demo"  # noqa: S105 - documented demo logins, printed at the end
ORGANISER_EMAIL = "organisatrice@rencontres.local"
MEMBER_EMAIL = "membre@rencontres.local"
ADMIN_EMAIL = "admin@rencontres.local"
# Organiser pages and the admin ask for a second factor: the demo organiser and admin share this
# authenticator app key (base32), documented in the README like the password.
DEMO_TOTP_SECRET = "RENCONTRESDEMOTOTPSECRETLILLE234"  # noqa: S105 - documented demo key
MEMBER_EMAIL_DOMAIN = "demo.rencontres.local"
MEMBER_COUNT = 150
NEWCOMER_COUNT = 10

FIRST_NAMES = [
    ("Camille", "f"), ("Julie", "f"), ("Claire", "f"), ("Sophie", "f"), ("Manon", "f"),
    ("Léa", "f"), ("Chloé", "f"), ("Pauline", "f"), ("Émilie", "f"), ("Marion", "f"),
    ("Aurélie", "f"), ("Céline", "f"), ("Élodie", "f"), ("Anaïs", "f"), ("Laura", "f"),
    ("Mathilde", "f"), ("Charlotte", "f"), ("Inès", "f"), ("Justine", "f"), ("Margaux", "f"),
    ("Hélène", "f"), ("Nathalie", "f"), ("Sandrine", "f"), ("Audrey", "f"), ("Zoé", "f"),
    ("Nadia", "f"), ("Fatima", "f"), ("Agathe", "f"), ("Louise", "f"), ("Valentine", "f"),
    ("Thomas", "m"), ("Nicolas", "m"), ("Julien", "m"), ("Maxime", "m"), ("Antoine", "m"),
    ("Guillaume", "m"), ("Pierre", "m"), ("Romain", "m"), ("Kevin", "m"), ("Mathieu", "m"),
    ("Benoît", "m"), ("François", "m"), ("Olivier", "m"), ("Sébastien", "m"), ("Jérôme", "m"),
    ("Hugo", "m"), ("Lucas", "m"), ("Théo", "m"), ("Arnaud", "m"), ("Cédric", "m"),
    ("Damien", "m"), ("Xavier", "m"), ("Yannick", "m"), ("Karim", "m"), ("Mehdi", "m"),
    ("Bastien", "m"), ("Florian", "m"), ("Grégory", "m"), ("Ludovic", "m"), ("Vincent", "m"),
]  # fmt: skip
LAST_NAMES = [
    "Vandamme", "Dubois", "Lefebvre", "Leroy", "Delattre", "Deschamps", "Lemaire", "Vasseur",
    "Descamps", "Duhamel", "Carpentier", "Declercq", "Vanhoutte", "Deleplanque", "Wattel",
    "Dewavrin", "Desmet", "Lecomte", "Bonte", "Leclercq", "Caron", "Dupont", "Martin", "Petit",
    "Roussel", "Hennebelle", "Bultel", "Boulanger", "Lambert", "Morel", "Fontaine", "Gosselin",
    "Lagache", "Vermeersch", "Verhaeghe", "Derache", "Dumortier", "Flament", "Lemoine",
    "Delannoy", "Mahieu", "Cappelle", "Hochart", "Vanneste", "Ducrocq", "Delcroix", "Masquelier",
    "Plouvier", "Wallart", "Dhainaut",
]  # fmt: skip
CITIES = [
    ("Lille", 30), ("Roubaix", 7), ("Tourcoing", 6), ("Villeneuve-d'Ascq", 8), ("Lambersart", 4),
    ("Marcq-en-Barœul", 4), ("La Madeleine", 3), ("Wasquehal", 2), ("Armentières", 2),
    ("Dunkerque", 4), ("Bergues", 2), ("Hazebrouck", 2), ("Calais", 3), ("Valenciennes", 3),
    ("Douai", 3), ("Cambrai", 1), ("Maubeuge", 1),
]  # fmt: skip
ROLES = {
    "blog": [
        ("Blogueur cuisine", "Blogueuse cuisine"), ("Blogueur voyage", "Blogueuse voyage"),
        ("Blogueur lifestyle", "Blogueuse lifestyle"), ("Rédacteur web", "Rédactrice web"),
        ("Photographe amateur", "Photographe amatrice"), ("Community manager", "Community manager"),
        ("Blogueur bière et estaminets", "Blogueuse bière et estaminets"),
    ],
    "analytics": [
        ("Consultant web analytics", "Consultante web analytics"),
        ("Data analyst", "Data analyst"), ("Expert SEO", "Experte SEO"),
        ("Responsable acquisition", "Responsable acquisition"),
        ("Chef de projet digital", "Cheffe de projet digital"),
    ],
    "dev": [
        ("Développeur Python", "Développeuse Python"), ("Développeur front", "Développeuse front"),
        ("Ingénieur DevOps", "Ingénieure DevOps"), ("Architecte logiciel", "Architecte logicielle"),
        ("Étudiant en informatique", "Étudiante en informatique"),
    ],
    "opale": [
        ("Blogueur nature", "Blogueuse nature"), ("Photographe de la Côte d'Opale", "Photographe"),
        ("Rédacteur indépendant", "Rédactrice indépendante"),
    ],
}  # fmt: skip
INTERESTS = [
    "Fan de carbonade et de vélo.",
    "Toujours partant·e pour un apéro dans le Vieux-Lille.",
    "Écrit sur les estaminets des Flandres.",
    "Passionné·e de données ouvertes.",
    "Aime les tableaux de bord bien rangés.",
    "Organise des balades photo le dimanche.",
    "Contribue à des logiciels libres.",
    "Court le semi-marathon de Lille chaque année.",
    "Découvre le Nord depuis peu.",
    "Parle de Matomo à qui veut l'entendre.",
    "Collectionne les vieux appareils photo.",
]
MASTODON_INSTANCES = ["mastodon.social", "piaille.fr", "mamot.fr", "framapiaf.org", "mastodon.top"]
# How likely each network is among a member's identities (the blog one depends on the cluster).
NETWORK_ODDS = {
    Network.X: 0.7,
    Network.LINKEDIN: 0.8,
    Network.MASTODON: 0.4,
    Network.BLUESKY: 0.35,
    Network.FACEBOOK: 0.3,
    Network.VIADEO: 0.08,
    Network.FLICKR: 0.12,
}
# Members per community; the rest of MEMBER_COUNT are newcomers who know nobody yet.
CLUSTERS = {"blog": 50, "analytics": 45, "dev": 35, "opale": 10}
BRIDGE_COUNT = 8
# Each community is made of circles of friends and colleagues who mostly know each other, with
# fewer ties between circles: an evening then shows several groups, not one blob.
CIRCLE_SIZE = 12
TIE_ODDS = {"circle": 0.3, "community": 0.01, "elsewhere": 0.003}
FOLLOW_BACK_ODDS = 0.6
# How many days before the date each series opens its RSVPs (when the event is announced).
RSVP_WINDOW_DAYS = {"blog": 56, "analytics": 70, "dev": 120}
# Share of an evening's attendees who know none of the others going.
ALONE_SHARE = (0.12, 0.17)
# Upcoming editions after the first, compared with past editions at the same point: the
# nearest one lags behind (the workspace says so), the others do a little better.
BEHIND_FACTOR = 0.6
AHEAD_FACTOR = 1.15
# Share of those going who did not come, per series (each past edition varies around it), and
# how many of the oldest editions were not checked in at the door (check-in came later).
NO_SHOW_SHARE = {"blog": 0.2, "analytics": 0.15, "dev": 0.11}
NO_SHOW_SPREAD = 0.04
UNCHECKED_EDITIONS = {"blog": 2, "analytics": 1, "dev": 0}


@dataclass
class Person:
    first: str
    last: str
    gender: str
    cluster: str | None  # None for a newcomer
    circle: int = 0  # which circle of the community
    extra_clusters: list[str] = field(default_factory=list)
    extra_circles: list[tuple[str, int]] = field(default_factory=list)
    user: User | None = None

    def in_cluster(self, cluster: str) -> bool:
        return self.cluster == cluster or cluster in self.extra_clusters

    @property
    def circles(self) -> set[tuple[str, int]]:
        return {(self.cluster, self.circle), *self.extra_circles} if self.cluster else set()


class Command(BaseCommand):
    help = "Create the demo community (series, venues, members, ties, events). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds a member or an event.",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")

    def handle(self, *args, if_empty: bool = False, seed: int = 2026, **options):
        if if_empty and (User.objects.exists() or Event.objects.exists()):
            self.stdout.write("The database already holds members or events: no demo data added.")
            return
        if User.objects.filter(email__iexact=ORGANISER_EMAIL).exists():
            self.stdout.write("The demo community is already there: nothing to do.")
            return
        with transaction.atomic():
            Builder(random.Random(seed), timezone.now()).build()
            cache.changed()  # bulk_create sends no signal
            # Statistics for the planner now, not at autovacuum's next pass: without them the
            # series page's meeting figures loop over every attendee pair.
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE community_user, community_tie, events_event, events_rsvp, "
                    "events_meeting"
                )
        self.stdout.write(self.style.SUCCESS("Demo community created."))
        self.stdout.write(
            f"Log in with password {DEMO_PASSWORD!r} as:\n"
            f"  {ORGANISER_EMAIL}  (organiser of Blog en Nord and Mercredi Web Analytics)\n"
            f"  {MEMBER_EMAIL}  (a member)\n"
            f"  {ADMIN_EMAIL}  (superuser, /admin/)\n"
            f"The organiser and the admin are asked for an authenticator app code: add the key "
            f"{DEMO_TOTP_SECRET} to your app (or run `oathtool --totp -b {DEMO_TOTP_SECRET}`)."
        )


def paris(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


def blog_evening_title(day: dt.date) -> str:
    month = MONTHS[day.month - 1]
    return f"Soirée Blog en Nord {'d’' if month[0] in 'aeiou' else 'de '}{month}"


# Soft colours for the illustrative avatars' backgrounds and shapes.
AVATAR_PALETTE = [
    (244, 162, 97), (231, 111, 81), (42, 157, 143), (38, 70, 83), (233, 196, 106),
    (129, 178, 154), (61, 64, 91), (242, 204, 143), (224, 122, 95), (131, 56, 236),
    (58, 134, 255), (255, 190, 11), (251, 86, 7), (6, 214, 160), (17, 138, 178),
]  # fmt: skip


def abstract_avatar(rng: random.Random, side: int = 256) -> bytes:
    """A PNG of overlapping circles and a band on a plain background: a picture that reads
    as someone's chosen avatar, without being anybody's face."""
    background, *colours = rng.sample(AVATAR_PALETTE, 4)
    image = Image.new("RGB", (side, side), background)
    draw = ImageDraw.Draw(image)
    for colour in colours:
        radius = rng.randint(side // 5, side // 2)
        x, y = rng.randint(0, side), rng.randint(0, side)
        if rng.random() < 0.3:
            width = rng.randint(side // 8, side // 4)
            draw.line([(0, y), (side, rng.randint(0, side))], fill=colour, width=width)
        else:
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def month_shift(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


class Builder:
    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng = rng
        self.now = now
        self.today = timezone.localtime(now, PARIS).date()
        self.busy: list[tuple[int, dt.datetime, dt.datetime]] = []
        self.password_hash = make_password(DEMO_PASSWORD)
        # Dates the database would fill with the present (auto_now_add), set at the end.
        self.rsvp_created: list[tuple[RSVP, dt.datetime]] = []
        self.meeting_created: list[tuple[Meeting, dt.datetime]] = []
        self.announced: list[tuple[Event, dt.datetime]] = []
        # Per series: how long before the date each going RSVP of a past edition came.
        self.past_leads: dict[str, list[dt.timedelta]] = {key: [] for key in RSVP_WINDOW_DAYS}
        self.past_editions: dict[str, int] = dict.fromkeys(RSVP_WINDOW_DAYS, 0)
        # Its own generator for the door (who came), so the rest of the story draws as before.
        self.door = random.Random(str(rng.getstate()))
        self.checked_editions: dict[str, int] = dict.fromkeys(RSVP_WINDOW_DAYS, 0)

    def build(self) -> None:
        self.make_venues()
        self.make_people()
        self.make_avatars()
        self.make_identities()
        self.make_ties()
        self.make_series()
        self.make_past_events()
        self.make_upcoming_events()
        self.make_covers()
        self.date_everything()

    # --- Places ---------------------------------------------------------------------------

    def make_venues(self) -> None:
        rows = {
            "eura": ("EuraTechnologies", "165 avenue de Bretagne", "Lille"),
            "biplan": ("Le Biplan", "19 rue Colbert", "Lille"),
            "tripostal": ("Le Tripostal", "avenue Willy Brandt", "Lille"),
            "capsule": ("La Capsule", "25 rue des Arts", "Lille"),
            "estaminet": ("Estaminet du Vieux-Lille", "6 rue de la Monnaie", "Lille"),
            "bergues": ("Le Mont-de-Piété", "1 rue du Mont-de-Piété", "Bergues"),
            "calais": ("Le Channel", "173 boulevard Gambetta", "Calais"),
        }
        self.venues = {
            key: Venue.objects.get_or_create(name=name, city=city, defaults={"address": address})[0]
            for key, (name, address, city) in rows.items()
        }

    # --- People -----------------------------------------------------------------------------

    def make_people(self) -> None:
        rng = self.rng
        names = rng.sample(list(itertools.product(FIRST_NAMES, LAST_NAMES)), MEMBER_COUNT)
        clusters = [c for c, size in CLUSTERS.items() for _ in range(size)]
        clusters += [None] * (MEMBER_COUNT - len(clusters))
        self.people = [
            Person(first=first, last=last, gender=gender, cluster=cluster)
            for ((first, gender), last), cluster in zip(names, clusters, strict=True)
        ]
        for cluster, size in CLUSTERS.items():
            circles = max(round(size / CIRCLE_SIZE), 1)
            for index, person in enumerate(p for p in self.people if p.cluster == cluster):
                person.circle = index % circles
        members = [p for p in self.people if p.cluster]
        for person in rng.sample(members, BRIDGE_COUNT):
            others = [c for c in CLUSTERS if c != person.cluster]
            self.join(person, rng.sample(others, rng.choice([1, 1, 2])))
        # In each circle, someone also at home in the next circle of the community, and in a
        # large community someone else in the previous one.
        for cluster, size in CLUSTERS.items():
            circles = max(round(size / CIRCLE_SIZE), 1)
            steps = [1, -1] if circles > 2 else [1] if circles > 1 else []
            for circle in range(circles):
                inside = [p for p in members if (p.cluster, p.circle) == (cluster, circle)]
                for step, connector in zip(
                    steps,
                    rng.sample([p for p in inside if not p.extra_circles], len(steps)),
                    strict=True,
                ):
                    connector.extra_circles.append((cluster, (circle + step) % circles))

        taken = set(User.objects.values_list("username", flat=True))
        city_names, city_weights = zip(*CITIES, strict=True)
        users = []
        for person in self.people:
            username = base = slugify(f"{person.first} {person.last}")
            n = 2
            while username in taken:
                username, n = f"{base}-{n}", n + 1
            taken.add(username)
            city = rng.choices(city_names, city_weights)[0]
            if person.cluster == "opale":
                city = rng.choice(["Calais", "Dunkerque", "Bergues", "Gravelines"])
            users.append(
                User(
                    username=username,
                    email=f"{username}@{MEMBER_EMAIL_DOMAIN}",
                    # Demo members cannot log in: no password to hash (that would take minutes).
                    password=make_password(None),
                    display_name=f"{person.first} {person.last}",
                    first_name=person.first,
                    last_name=person.last,
                    city=city,
                    bio=self.bio(person, city),
                    # Members joined over five years; newcomers in the last weeks. Dates move
                    # earlier at the end if a member's first RSVP or tie comes before.
                    date_joined=self.now
                    - dt.timedelta(
                        days=rng.uniform(60, 5 * 365) if person.cluster else rng.uniform(3, 40)
                    ),
                )
            )
        for person, user in zip(self.people, User.objects.bulk_create(users), strict=True):
            person.user = user
        self.person = {p.user.pk: p for p in self.people}

        # The two documented logins take the place of two people in the graph.
        organiser = next(p for p in self.people if p.cluster == "blog")
        self.join(organiser, ["analytics"])
        member = next(p for p in self.people if p.cluster == "analytics")
        self.organiser = self.make_login(organiser.user, ORGANISER_EMAIL)
        self.member = self.make_login(member.user, MEMBER_EMAIL)
        admin = User.objects.create_superuser(
            email=ADMIN_EMAIL,
            password=None,
            username="admin-rencontres",
            display_name="Admin Rencontres",
            city="Lille",
        )
        admin.password = self.password_hash
        admin.save(update_fields=["password"])
        EmailAddress.objects.create(user=admin, email=ADMIN_EMAIL, verified=True, primary=True)
        for user in (self.organiser, admin):
            TOTP.activate(user, DEMO_TOTP_SECRET)

    def make_avatars(self) -> None:
        """Illustrative pictures for about half of the members: abstract shapes drawn here
        (no real face), stored like an uploaded photo, through community/photos.py."""
        for person in self.people:
            # A random source of its own: the rest of the story draws from `self.rng` as
            # before, so the avatars change nothing else.
            rng = random.Random(f"avatar-{person.user.username}")
            if rng.random() < 0.5:
                squares = photos.encode_photo(abstract_avatar(rng))
                photos.set_photo(member=person.user, squares=squares)

    def join(self, person: Person, clusters: list[str]) -> None:
        """A bridge: also at home in one circle of each of these other communities."""
        person.extra_clusters = clusters
        person.extra_circles = [
            (c, self.rng.randrange(max(round(CLUSTERS[c] / CIRCLE_SIZE), 1))) for c in clusters
        ]

    def make_login(self, user: User, email: str) -> User:
        # The profile URL keeps the username made from the person's name, never the email's.
        user.email = email
        user.password = self.password_hash
        user.save(update_fields=["email", "password"])
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    def bio(self, person: Person, city: str) -> str:
        if person.cluster is None:
            return f"Nouvellement arrivé·e à {city}, curieux·se de rencontrer la communauté."
        masc, fem = self.rng.choice(ROLES[person.cluster])
        role = fem if person.gender == "f" else masc
        return f"{role} à {city}. {self.rng.choice(INTERESTS)}"

    # --- Online identities ------------------------------------------------------------------

    def make_identities(self) -> None:
        rng = self.rng
        identities = []
        self.networks: dict[int, list[str]] = {}
        nicks = set()
        for index, person in enumerate(self.people):
            user = person.user
            first, last = slugify(person.first), slugify(person.last)
            nick = f"{first[0]}{last}"[:12]
            if nick in nicks or index % 5 == 0:
                nick = f"{nick}{index}"
            nicks.add(nick)
            chosen = [net for net, odds in NETWORK_ODDS.items() if rng.random() < odds]
            blog_odds = 0.95 if person.cluster in ("blog", "opale") else 0.35
            if rng.random() < blog_odds:
                chosen.append(Network.WEBSITE)
            # Every network appears in the demo: the first members cover them all.
            if index < len(Network):
                chosen.append(list(Network)[index])
            if len(chosen) < 2:
                chosen += rng.sample([Network.X, Network.LINKEDIN, Network.MASTODON], 2)
            chosen = list(dict.fromkeys(chosen))
            self.networks[user.pk] = chosen
            for network in chosen:
                handle, url = self.identity(network, nick, first, last, index)
                identities.append(Identity(member=user, network=network, handle=handle, url=url))
        Identity.objects.bulk_create(identities)

    def identity(self, network, nick, first, last, index) -> tuple[str, str]:
        if network == Network.X:
            handle = nick.replace("-", "_")[:15]
            return handle, f"https://x.com/{handle}"
        if network == Network.MASTODON:
            instance = MASTODON_INSTANCES[index % len(MASTODON_INSTANCES)]
            return f"{nick}@{instance}", f"https://{instance}/@{nick}"
        if network == Network.BLUESKY:
            handle = f"{nick}.bsky.social"
            return handle, f"https://bsky.app/profile/{handle}"
        if network == Network.LINKEDIN:
            slug = f"{first}-{last}-{index:03d}"
            return f"in/{slug}", f"https://www.linkedin.com/in/{slug}"
        if network == Network.FACEBOOK:
            handle = f"{first}.{last}.{index}"
            return handle, f"https://www.facebook.com/{handle}"
        if network == Network.VIADEO:
            handle = f"{first}.{last}{index}"
            return handle, f"https://fr.viadeo.com/fr/profile/{handle}"
        if network == Network.FLICKR:
            return nick, f"https://www.flickr.com/photos/{nick}"
        pattern = index % 4
        if pattern == 0:
            host = f"{first}{last}.fr"
        elif pattern == 1:
            host = f"{first}-{last}.over-blog.com"
        elif pattern == 2:
            host = f"medium.com/@{nick}"
        else:
            host = f"blog.{last}{index}.fr"
        return host, f"https://{host}"

    # --- Tie graph --------------------------------------------------------------------------

    def make_ties(self) -> None:
        """Dense inside each circle, sparser across a community, rare elsewhere; mutual ties
        common, newcomers alone. Kept in memory (with the date each was added) until the
        events are built: meetings move some of them, and evenings are composed from them."""
        rng = self.rng
        members = [p for p in self.people if p.cluster]
        self.tie_at: dict[tuple[int, int], dt.datetime] = {}
        for a, b in itertools.permutations(members, 2):
            if a.circles & b.circles:
                odds = TIE_ODDS["circle"]
            elif {a.cluster, *a.extra_clusters} & {b.cluster, *b.extra_clusters}:
                odds = TIE_ODDS["community"]
            else:
                odds = TIE_ODDS["elsewhere"]
            if rng.random() < odds and (a.user.pk, b.user.pk) not in self.tie_at:
                # Added on the site some time after the later of the two joined; the follow
                # back comes a few days after.
                since = max(a.user.date_joined, b.user.date_joined)
                added = min(
                    since + dt.timedelta(days=rng.expovariate(1 / 150)),
                    self.now - dt.timedelta(hours=rng.uniform(1, 24 * 20)),
                )
                added = max(added, since + dt.timedelta(hours=1))
                self.tie_at[(a.user.pk, b.user.pk)] = added
                if rng.random() < FOLLOW_BACK_ODDS:
                    back = added + dt.timedelta(days=rng.expovariate(1 / 6))
                    self.tie_at[(b.user.pk, a.user.pk)] = min(back, self.now)
        self.knows: dict[int, set[int]] = {p.user.pk: set() for p in self.people}
        for a, b in self.tie_at:
            self.knows[a].add(b)
            self.knows[b].add(a)

    def pair_tied_at(self, a: int, b: int) -> dt.datetime | None:
        dates = [self.tie_at[k] for k in ((a, b), (b, a)) if k in self.tie_at]
        return min(dates, default=None)

    def save_ties(self) -> None:
        rng = self.rng
        ties = []
        for from_pk, to_pk in self.tie_at:
            common = [n for n in self.networks[from_pk] if n in self.networks[to_pk]]
            networks = common or self.networks[to_pk]
            for network in rng.sample(networks, 2 if len(common) > 2 and rng.random() < 0.2 else 1):
                source = Tie.Source.IMPORTED if rng.random() < 0.3 else Tie.Source.DECLARED
                ties.append(
                    Tie(from_member_id=from_pk, to_member_id=to_pk, network=network, source=source)
                )
        ties = Tie.objects.bulk_create(ties)
        # `created_at` is auto_now_add, which bulk_create fills with the present.
        for tie in ties:
            tie.created_at = self.tie_at[(tie.from_member_id, tie.to_member_id)]
        Tie.objects.bulk_update(ties, ["created_at"], batch_size=500)

    # --- Series -----------------------------------------------------------------------------

    def make_series(self) -> None:
        def organisers(cluster: str, count: int) -> list[User]:
            return [p.user for p in self.people if p.cluster == cluster][1 : count + 1]

        specs = [
            {
                "key": "blog",
                "name": "Blog en Nord",
                "slug": "blog-en-nord",
                "preferred_weekday": Weekday.THURSDAY,
                "colour": "#c2410c",
                "description": (
                    "Les soirées des blogueurs et blogueuses du Nord depuis 2008 : on se "
                    "retrouve une fois par mois autour d'un verre pour parler blogs, photos, "
                    "réseaux et bonnes adresses. Tout le monde est bienvenu, même sans blog."
                ),
                "organisers": [self.organiser, *organisers("blog", 2)],
                "links": [
                    ("Site de Blog en Nord", "https://blogennord.fr"),
                    ("Groupe Facebook", "https://www.facebook.com/groups/blogennord"),
                    ("Compte Mastodon", "https://piaille.fr/@blogennord"),
                ],
            },
            {
                "key": "analytics",
                "name": "Mercredi Web Analytics",
                "slug": "mercredi-web-analytics",
                "preferred_weekday": Weekday.WEDNESDAY,
                "colour": "#0f766e",
                "description": (
                    "Un mercredi par mois, une soirée pour les passionnés de mesure d'audience, "
                    "de données et d'optimisation : deux talks, des questions, puis l'apéro. "
                    "Environ 75 personnes à chaque édition."
                ),
                "organisers": [self.organiser, *organisers("analytics", 2)],
                "links": [
                    ("Page Meetup", "https://www.meetup.com/mercredi-web-analytics-lille"),
                    ("Page LinkedIn", "https://www.linkedin.com/company/mercredi-web-analytics"),
                ],
            },
            {
                "key": "dev",
                "name": "DevCom Lille",
                "slug": "devcom-lille",
                "preferred_weekday": Weekday.FRIDAY,
                "colour": "#6d28d9",
                "description": (
                    "La conférence des développeuses et développeurs de la métropole lilloise : "
                    "une journée de talks, d'ateliers et de rencontres au Tripostal."
                ),
                "organisers": organisers("dev", 3),
                "links": [
                    ("Site de la conférence", "https://devcom-lille.fr"),
                    ("Vidéos des éditions passées", "https://www.youtube.com/@devcomlille"),
                ],
            },
        ]
        self.series = {}
        for spec in specs:
            series, _ = Series.objects.get_or_create(
                slug=spec["slug"],
                defaults={
                    "name": spec["name"],
                    "description": spec["description"],
                    "preferred_weekday": spec["preferred_weekday"],
                    "home_city": "Lille",
                    "colour": spec["colour"],
                },
            )
            series.organisers.add(*spec["organisers"])
            for title, url in spec["links"]:
                SeriesLink.objects.get_or_create(series=series, url=url, defaults={"title": title})
            self.series[spec["key"]] = series
        # One series shows the organisers' "accept N more than capacity" advice.
        self.series["analytics"].overbooking_advice = True
        self.series["analytics"].save(update_fields=["overbooking_advice"])

    # --- Events -----------------------------------------------------------------------------

    def free_start(self, venue: Venue, start: dt.datetime, hours: float) -> dt.datetime:
        """Move an event a day later until its venue is free (no overlap, as the DB demands)."""
        while any(
            v == venue.pk and start < end and start + dt.timedelta(hours=hours) > begin
            for v, begin, end in self.busy
        ):
            start += dt.timedelta(days=1)
        return start

    def add_event(self, *, key: str, title: str, venue: str, start: dt.datetime, hours: float,
                  capacity: int | None, description: str,
                  status: str = Event.Status.PUBLISHED) -> Event:  # fmt: skip
        place = self.venues[venue]
        start = self.free_start(place, start, hours)
        end = start + dt.timedelta(hours=hours)
        if status != Event.Status.CANCELLED:
            self.busy.append((place.pk, start, end))
        series = self.series[key]
        event = Event.objects.create(
            series=series,
            title=title,
            start=start,
            end=end,
            venue=place,
            capacity=capacity,
            description=description,
            status=status,
            created_by=series.organisers.order_by("pk").first(),
        )
        # Announced when its RSVPs open; a date hold was noted a few days ago.
        opens = start - dt.timedelta(days=RSVP_WINDOW_DAYS[key])
        if status == Event.Status.HOLD:
            opens = self.now
        self.announced.append(
            (event, min(opens, self.now - dt.timedelta(days=self.rng.uniform(2, 9))))
        )
        return event

    def evening(self, cluster: str, count: int, *, start: dt.datetime, must=(),
                exclude=()) -> list[User]:  # fmt: skip
        """Who goes: `ALONE_SHARE` of people who know none of the others (newcomers first),
        two or three friends from another community who came together, then the circles of
        the series' community and friends from elsewhere (bridges among them), each tied to
        someone already there and to none of those who came on their own."""
        rng = self.rng
        taken = {u.pk for u in (*must, *exclude)}
        # Newcomers joined only weeks ago: they come to the latest evenings.
        recent = start > self.now - dt.timedelta(days=30)
        pool = [p for p in self.people if p.user.pk not in taken and (p.cluster or recent)]
        going = [u.pk for u in must]
        apart: set[int] = set()

        def knows_none(pk: int, among) -> bool:
            return not (self.knows[pk] & among)

        # Those on their own: newcomers, then people from other communities with few ties.
        alone = [p for p in pool if not p.in_cluster(cluster)]
        rng.shuffle(alone)
        alone.sort(key=lambda p: (p.cluster is not None, len(self.knows[p.user.pk]) // 4))
        target = round(count * rng.uniform(*ALONE_SHARE))
        for person in alone:
            if len(apart) >= target:
                break
            if knows_none(person.user.pk, {*going, *apart}):
                apart.add(person.user.pk)
        visitors = self.visitors(cluster, pool, {*going, *apart})
        going += [*sorted(apart), *visitors]
        apart.update(visitors)

        def rank(pk: int) -> float:
            person = self.person[pk]
            # Those at home in several circles are the regulars who bring people together.
            regular = 0.3 if person.extra_circles else 0
            return rng.random() + (0 if person.in_cluster(cluster) else 0.8) - regular

        ranked = sorted((p.user.pk for p in pool if p.cluster and p.user.pk not in apart), key=rank)
        fits = [pk for pk in ranked if knows_none(pk, apart)]
        rest = [pk for pk in ranked if pk not in fits]
        core = {u.pk for u in must}
        while len(going) < count and (fits or rest):
            if fits:
                pick = next((pk for pk in fits if not core or self.knows[pk] & core), fits[0])
                fits.remove(pick)
            else:
                pick = rest.pop(0)
            core.add(pick)
            going.append(pick)
        return [self.person[pk].user for pk in going]

    def visitors(self, cluster: str, pool: list[Person], here: set[int]) -> list[int]:
        """Two or three friends from another community who know none of those going."""
        candidates = [
            p
            for p in pool
            if p.cluster not in (None, cluster)
            and not p.in_cluster(cluster)
            and p.user.pk not in here
            and not (self.knows[p.user.pk] & here)
        ]
        self.rng.shuffle(candidates)
        ids = {p.user.pk for p in candidates}
        for person in candidates:
            friends = sorted(self.knows[person.user.pk] & ids)
            if friends:
                return [person.user.pk, *self.rng.sample(friends, min(len(friends), 2))]
        return []

    def lead(self, key: str) -> dt.timedelta:
        """How long before the date a member RSVPs: a burst when the event is announced, a
        trickle that thickens as the date nears, and the usual surge in the last three days."""
        rng = self.rng
        window = RSVP_WINDOW_DAYS[key]
        draw = rng.random()
        if draw < 0.35:
            days = rng.uniform(0.05, 3)
        elif draw < 0.5:
            days = window - rng.uniform(0, 4)
        else:
            days = 3 + (window - 7) * rng.random() ** 2
        return dt.timedelta(days=days)

    def rsvp_time(self, event: Event, key: str, *, before: dt.datetime) -> dt.datetime:
        """When a member RSVPd, drawn from the series' usual curve, no later than `before`."""
        if event.start - dt.timedelta(days=RSVP_WINDOW_DAYS[key]) > before:
            raise ValueError(f"{event} opens its RSVPs after {before}")
        while True:
            at = event.start - self.lead(key)
            if at <= before:
                return at

    def expected(self, key: str, lead: dt.timedelta) -> float:
        """Going RSVPs past editions had `lead` before their date, on average: the figure the
        organiser workspace compares with (`events.organising.with_trend`)."""
        if not self.past_editions[key]:
            return 0.0
        return sum(1 for past in self.past_leads[key] if past >= lead) / self.past_editions[key]

    def rsvp(self, event: Event, key: str, going: list[User], *, waitlisted=(), declined=(),
             declined_at: dt.datetime | None = None) -> None:  # fmt: skip
        rng = self.rng
        # Upcoming: a waitlist comes after everyone going, within the last day.
        before = min(event.start, self.now - dt.timedelta(days=1 if waitlisted else 0, hours=1))
        rows: list[tuple[RSVP, dt.datetime]] = []

        def add(member: User, status: str, changed: dt.datetime, created: dt.datetime) -> None:
            row = RSVP(event=event, member=member, status=status, status_changed_at=changed)
            rows.append((row, created))

        going_at = [self.rsvp_time(event, key, before=before) for _ in going]
        for member, at in zip(going, going_at, strict=True):
            add(member, RSVP.Status.GOING, at, at)
        if event.end < self.now:
            self.past_leads[key] += [event.start - at for at in going_at]
            self.past_editions[key] += 1
        # The waitlist is served in this order: later than everyone going.
        last = max(going_at, default=before)
        for position, member in enumerate(waitlisted, start=1):
            at = last + (self.now - last) * position / (len(waitlisted) + 1)
            add(member, RSVP.Status.WAITLISTED, at, at)
        for member in declined:
            at = self.rsvp_time(event, key, before=before - dt.timedelta(days=2))
            # Said they would come, then changed their mind (or the event was called off).
            add(member, RSVP.Status.DECLINED, declined_at or at + (before - at) * rng.random(), at)
        RSVP.objects.bulk_create(row for row, _at in rows)
        self.rsvp_created += rows

    def monthly_dates(self, weekday: int, n: int, months: range) -> list[dt.date]:
        return [nth_weekday(*month_shift(self.today, m), weekday, n) for m in months]

    def make_past_events(self) -> None:
        rng = self.rng
        past = []
        year_ago = self.today - dt.timedelta(days=365)
        for day in self.monthly_dates(Weekday.THURSDAY, 2, range(-12, 1)):
            start = paris(day, 19)
            if start + dt.timedelta(hours=3) >= self.now or day < year_ago:
                continue
            venue = rng.choice(["estaminet", "biplan", "capsule", "estaminet"])
            if day.month == 6:
                venue = "bergues"
            elif day.month == 9:
                venue = "calais"
            event = self.add_event(
                key="blog",
                title=blog_evening_title(day),
                venue=venue,
                start=start,
                hours=3,
                capacity=40,
                description="Apéro mensuel des blogueurs du Nord. Venez comme vous êtes !",
            )
            past.append((event, "blog", rng.randint(22, 38)))
        for day in self.monthly_dates(Weekday.WEDNESDAY, 3, range(-12, 1)):
            start = paris(day, 19)
            if start + dt.timedelta(hours=3) >= self.now or day < year_ago:
                continue
            topic = rng.choice(
                [
                    "Matomo en production",
                    "Consentement et mesure d'audience",
                    "GA4, un an après",
                    "Tableaux de bord qui servent vraiment",
                    "Tests A/B sans se tromper",
                    "Server-side tagging",
                    "Données first-party",
                ]
            )
            event = self.add_event(
                key="analytics",
                title=f"Mercredi Web Analytics : {topic}",
                venue="eura",
                start=start,
                hours=3,
                capacity=80,
                description=f"Deux talks autour de « {topic} », puis l'apéro.",
            )
            past.append((event, "analytics", rng.randint(68, 79)))
        conference_day = nth_weekday(*month_shift(self.today, -7), Weekday.FRIDAY, 2)
        event = self.add_event(
            key="dev",
            title="DevCom Lille #7",
            venue="tripostal",
            start=paris(conference_day, 9),
            hours=9,
            capacity=250,
            description="Une journée de conférences et d'ateliers pour les développeurs.",
        )
        past.append((event, "dev", 95))

        # In date order: a tie added after a meeting must not precede a later evening.
        for event, cluster, count in sorted(past, key=lambda row: row[0].start):
            going = self.evening(cluster, count, start=event.start)
            here = {u.pk for u in going}
            others = [p.user for p in self.people if p.cluster and p.user.pk not in here]
            self.rsvp(event, cluster, going, declined=rng.sample(others, 4))
            self.check_in(event, cluster)
            self.add_links(event, going)
            if rng.random() < 0.7:
                self.add_meetings(event, going)

    def check_in(self, event: Event, key: str) -> None:
        """Who came: those going, but for the series' share of no-shows, checked in between a
        quarter of an hour early and an hour and a quarter late (the oldest editions of a
        series were not checked in)."""
        door = self.door
        self.checked_editions[key] += 1
        if self.checked_editions[key] <= UNCHECKED_EDITIONS[key]:
            return
        share = NO_SHOW_SHARE[key] + door.uniform(-NO_SHOW_SPREAD, NO_SHOW_SPREAD)
        going = [row for row, _at in self.rsvp_created if row.event_id == event.pk and row.is_going]
        came = door.sample(going, len(going) - round(share * len(going)))
        for row in came:
            row.arrived_at = event.start + dt.timedelta(minutes=door.uniform(-15, 75))
        RSVP.objects.bulk_update(came, ["arrived_at"])

    def add_links(self, event: Event, going: list[User]) -> None:
        local = timezone.localtime(event.start, PARIS)
        bloggers = [u for u in going if Network.WEBSITE in self.networks.get(u.pk, [])]
        links = []
        if bloggers:
            blogger = self.rng.choice(bloggers)
            site = blogger.identities.get(network=Network.WEBSITE).handle
            links.append(
                EventLink(
                    event=event,
                    kind=EventLink.Kind.RECAP,
                    title=f"Le récap de la soirée, par {blogger.display_name}",
                    url=f"https://{site}/{local:%Y/%m}/{event.slug}",
                )
            )
        links.append(
            EventLink(
                event=event,
                kind=EventLink.Kind.PHOTOS,
                title="L'album photo",
                url=f"https://www.flickr.com/photos/blogennord/albums/{local:%Y%m%d}",
            )
        )
        if event.series.slug != "blog-en-nord":
            links.append(
                EventLink(
                    event=event,
                    kind=EventLink.Kind.SLIDES,
                    title="Les supports des talks",
                    url=f"https://speakerdeck.com/{event.series.slug}/{event.slug}",
                )
            )
        EventLink.objects.bulk_create(links)

    def add_meetings(self, event: Event, going: list[User]) -> None:
        """Who recorded "we met": mostly people tied online before the evening, a pair who
        met first and followed each other in the days after, someone who came knowing nobody."""
        rng = self.rng
        ids = sorted(u.pk for u in going)
        here = set(ids)
        tied_before, tied_after = [], []
        for a, b in itertools.combinations(ids, 2):
            if b in self.knows[a]:
                before = self.pair_tied_at(a, b) < event.start
                (tied_before if before else tied_after).append((a, b))
        pairs = set(rng.sample(tied_before, min(len(tied_before), rng.randint(3, 7))))
        for a, b in rng.sample(tied_after, min(len(tied_after), rng.randint(1, 2))):
            self.move_tie(a, b, event.end + dt.timedelta(days=rng.uniform(0.3, 4)))
            pairs.add((a, b))
        alone = [pk for pk in ids if not (self.knows[pk] & here)]
        for pk in rng.sample(alone, min(len(alone), rng.randint(1, 2))):
            other = rng.choice([o for o in ids if o != pk])
            pairs.add((min(pk, other), max(pk, other)))
        meetings = Meeting.objects.bulk_create(
            Meeting(event=event, member_a_id=a, member_b_id=b, recorded_by_id=rng.choice([a, b]))
            for a, b in sorted(pairs)
        )
        for meeting in meetings:
            at = event.end + dt.timedelta(hours=rng.uniform(1, 48))
            self.meeting_created.append((meeting, min(at, self.now)))

    def move_tie(self, a: int, b: int, added: dt.datetime) -> None:
        """Date the tie between a and b (both directions, keeping the follow-back delay)."""
        first = self.pair_tied_at(a, b)
        for pair in ((a, b), (b, a)):
            if pair in self.tie_at:
                self.tie_at[pair] = min(added + (self.tie_at[pair] - first), self.now)

    def make_upcoming_events(self) -> None:
        rng = self.rng
        horizon = self.now + dt.timedelta(days=90)
        blog_days = [
            d
            for d in self.monthly_dates(Weekday.THURSDAY, 2, range(0, 4))
            if self.now < paris(d, 19) < horizon
        ]
        analytics_days = [
            d
            for d in self.monthly_dates(Weekday.WEDNESDAY, 3, range(0, 4))
            if self.now < paris(d, 19) < horizon
        ]
        # The first evening of each series is the busy one, whatever the day of the month.
        soon = self.today + dt.timedelta(days=8)
        analytics_days = [soon + dt.timedelta(days=(2 - soon.weekday()) % 7)] + analytics_days[1:]
        blog_soon = self.today + dt.timedelta(days=12)
        blog_days = [blog_soon + dt.timedelta(days=(3 - blog_soon.weekday()) % 7)] + blog_days[1:]

        later: list[tuple[Event, str]] = []
        for position, day in enumerate(analytics_days):
            event = self.add_event(
                key="analytics",
                title=f"Mercredi Web Analytics #{120 + position}",
                venue="eura",
                start=paris(day, 19),
                hours=3,
                capacity=75,
                description="Deux talks, des questions, puis l'apéro. Inscription conseillée.",
            )
            if position == 0:
                # Full, with a waitlist served in order.
                going = self.evening("analytics", 75, start=event.start, exclude=[self.member])
                here = {u.pk for u in going}
                waiting = sorted(
                    (p for p in self.people if p.cluster and p.user.pk not in here),
                    key=lambda p: rng.random() + (0 if p.in_cluster("analytics") else 0.8),
                )
                waiting = [p.user for p in waiting if p.user != self.member][:5] + [self.member]
                self.rsvp(event, "analytics", going, waitlisted=waiting)
            else:
                later.append((event, "analytics"))

        for position, day in enumerate(blog_days):
            event = self.add_event(
                key="blog",
                title=blog_evening_title(day),
                venue="estaminet",
                start=paris(day, 19),
                hours=3,
                capacity=40,
                description="Apéro mensuel des blogueurs du Nord. Venez comme vous êtes !",
            )
            if position == 0:
                # Nearly full: three seats left, the demo member among those going.
                self.rsvp(
                    event, "blog", self.evening("blog", 37, start=event.start, must=[self.member])
                )
            else:
                later.append((event, "blog"))

        conference_day = self.today + dt.timedelta(days=60)
        conference_day += dt.timedelta(days=(4 - conference_day.weekday()) % 7)
        event = self.add_event(
            key="dev",
            title="DevCom Lille #8",
            venue="tripostal",
            start=paris(conference_day, 9),
            hours=9,
            capacity=250,
            description="Une journée de conférences et d'ateliers. Le programme arrive bientôt.",
        )
        later.append((event, "dev"))

        # The other editions follow the curve of their past ones: the nearest evening of the
        # organiser's series lags behind, the rest do a little better.
        def expected(row: tuple[Event, str]) -> float:
            event, key = row
            # Measured a little earlier than now: RSVPs opened at least that long ago.
            return self.expected(key, event.start - self.now + dt.timedelta(hours=2))

        behind = min(
            (row for row in later if row[1] != "dev" and expected(row) >= 2),
            key=lambda row: row[0].start,
            default=None,
        )
        for row in later:
            event, key = row
            factor = BEHIND_FACTOR if row == behind else AHEAD_FACTOR
            count = min(int(factor * expected(row)), event.capacity - 8)
            self.rsvp(event, key, self.evening(key, count, start=event.start) if count else [])

        hold_day = self.today + dt.timedelta(days=75)
        hold_day += dt.timedelta(days=(5 - hold_day.weekday()) % 7)  # a Saturday outing
        self.add_event(
            key="blog",
            title="Blog en Nord à Bergues (date à confirmer)",
            venue="bergues",
            start=paris(hold_day, 19),
            hours=3,
            capacity=30,
            description="Date retenue pour une soirée à Bergues, à confirmer avec le lieu.",
            status=Event.Status.HOLD,
        )
        cancelled_day = self.today + dt.timedelta(days=20)
        cancelled_day += dt.timedelta(days=(1 - cancelled_day.weekday()) % 7)
        event = self.add_event(
            key="analytics",
            title="Atelier Matomo à Calais",
            venue="calais",
            start=paris(cancelled_day, 19),
            hours=2.5,
            capacity=25,
            description="Annulé : l'intervenant ne peut pas venir. Reporté au printemps.",
            status=Event.Status.CANCELLED,
        )
        # Those who had said yes, told when it was called off.
        called_off = self.now - dt.timedelta(days=rng.uniform(1, 3))
        self.rsvp(
            event,
            "analytics",
            [],
            declined=self.evening("opale", 6, start=event.start),
            declined_at=called_off,
        )

    def make_covers(self) -> None:
        """A drawn, abstract cover for a few events; the others show their share image."""
        events = list(Event.objects.filter(title__startswith="DevCom")) + list(
            Event.objects.filter(title__startswith="Mercredi Web Analytics").order_by("-start")[:2]
        )
        for event in events:
            colour = event.series.colour if event.series else "#2456a6"
            pictures.set_cover(event=event, pictures=pictures.encode_cover(self.cover(colour)))

    def cover(self, colour: str) -> bytes:
        """Overlapping translucent discs and bands on the series' colour: no photograph."""
        rng = self.rng
        base = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        image = Image.new("RGB", (1200, 630), base)
        layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for _ in range(14):
            r = rng.randint(60, 260)
            x, y = rng.randint(-100, 1300), rng.randint(-100, 730)
            tint = rng.choice([(255, 255, 255), (255, 191, 71), (0, 0, 0), (120, 200, 255)])
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(*tint, rng.randint(30, 90)))
        for _ in range(3):
            y = rng.randint(0, 630)
            draw.rectangle((0, y, 1200, y + rng.randint(10, 40)), fill=(255, 255, 255, 40))
        image = Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()

    def date_everything(self) -> None:
        """Write the ties, then give every row the date its story says (auto_now_add fields
        hold the present after bulk_create, so they are set with bulk_update)."""
        self.save_ties()
        # Going and waitlisted members took their status when they RSVPd: one UPDATE.
        RSVP.objects.update(created_at=F("status_changed_at"), updated_at=F("status_changed_at"))
        declined = []
        for rsvp, created in self.rsvp_created:
            if rsvp.is_declined:
                rsvp.created_at = created
                declined.append(rsvp)
        RSVP.objects.bulk_update(declined, ["created_at"])
        for index, (meeting, created) in enumerate(self.meeting_created):
            meeting.created_at = created
            # Most "we met" were said by both; one in six waits for the other side.
            if index % 6:
                meeting.confirmed_at = min(created + dt.timedelta(hours=5), self.now)
        Meeting.objects.bulk_update(
            [m for m, _at in self.meeting_created], ["created_at", "confirmed_at"]
        )
        for event, announced in self.announced:
            event.created_at = event.updated_at = announced
        Event.objects.bulk_update([e for e, _at in self.announced], ["created_at", "updated_at"])

        # Nobody RSVPs or adds a tie before joining.
        first: dict[int, dt.datetime] = {}
        for rsvp, created in self.rsvp_created:
            first[rsvp.member_id] = min(first.get(rsvp.member_id, created), created)
        for (a, b), added in self.tie_at.items():
            for pk in (a, b):
                first[pk] = min(first.get(pk, added), added)
        users = [p.user for p in self.people]
        for user in users:
            if user.pk in first:
                earliest = first[user.pk] - dt.timedelta(days=self.rng.uniform(1, 30))
                user.date_joined = min(user.date_joined, earliest)
        User.objects.bulk_update(users, ["date_joined"])

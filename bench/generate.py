"""Generate a large, realistic published plan to benchmark the public pages against.

At scale 1: 25 route maps x 7 outcomes x 7 years (2024-2030) x 20 milestones = 24,500
milestones, 200 organisations in every sector, progress entries, "what matters" statements,
linked route maps, and responsible bodies on outcomes and milestones (leads and
contributors; about a third of milestones name nobody and inherit their outcome's). Each
route map has one published edition, as if imported and published once.

Everything comes from one seeded generator (random + Faker), so a given scale and seed give
the same plan on every machine; nothing is fetched. Rows are written with bulk_create in one
transaction, which keeps scale 1 well under a minute on PostgreSQL.

    .venv/bin/python bench/generate.py --scale 1 [--reset]

It refuses to touch a database that already has route maps unless `--reset` is given, which
deletes every route map and organisation first (never users or groups).
"""

import argparse
import datetime
import math
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

YEARS = range(2024, 2031)
# Statuses are spread as they would be if the plan were reviewed in this year.
REFERENCE_YEAR = 2025
DEFAULT_SEED = 2430
BATCH_SIZE = 2000

FOUNDATIONS = [
    ("voice", "Voice"),
    ("family", "Family"),
    ("care", "Care"),
    ("people", "People"),
    ("scaffolding", "Scaffolding"),
]

# 25 route maps, as in Plan 24-30: the names the plan uses, then plausible others.
ROUTE_MAPS = [
    ("Listening", "voice"),
    ("Documenting decisions", "voice"),
    ("Participation and influence", "voice"),
    ("Intensive family support", "family"),
    ("Poverty and family finances", "family"),
    ("Brothers and sisters", "family"),
    ("Advocacy and legal advice", "care"),
    ("Decision making", "care"),
    ("Moving on and lifelong support", "care"),
    ("Relationships", "care"),
    ("Stability", "care"),
    ("Where children live", "care"),
    ("Kinship care", "care"),
    ("Supporting the workforce", "people"),
    ("Trauma-informed practice", "people"),
    ("Language and stigma", "people"),
    ("Data and information", "scaffolding"),
    ("Education", "scaffolding"),
    ("Governance", "scaffolding"),
    ("Health", "scaffolding"),
    ("Justice", "scaffolding"),
    ("Legislation", "scaffolding"),
    ("Money and commissioning", "scaffolding"),
    ("Rights", "scaffolding"),
    ("Scrutiny and inspection", "scaffolding"),
]

OUTCOME_TITLES = [
    "Kinship care",
    "Adoption",
    "Foster care",
    "Residential care",
    "Secure care",
    "Unaccompanied asylum seeking children",
    "Cross-border placements",
    "Keeping brothers and sisters together",
    "Family time",
    "Early help for families",
    "Advocacy for every child",
    "Children's hearings",
    "Records and access to them",
    "Moving on from care",
    "Housing for young people",
    "Mental health support",
    "School exclusions",
    "Further and higher education",
    "Restraint and restrictive practice",
    "Police and youth justice",
    "Workforce wellbeing",
    "Workforce training",
    "Data that counts what matters",
    "Commissioning for relationships",
    "Inspection that listens",
    "Rights in law",
    "Language that cares",
    "Lifelong support",
    "Health assessments",
    "Participation in decisions",
]

COUNCIL_AREAS = [
    "Aberdeen City", "Aberdeenshire", "Angus", "Argyll and Bute", "Clackmannanshire",
    "Dumfries and Galloway", "Dundee City", "East Ayrshire", "East Dunbartonshire",
    "East Lothian", "East Renfrewshire", "City of Edinburgh", "Falkirk", "Fife",
    "Glasgow City", "Highland", "Inverclyde", "Midlothian", "Moray", "Na h-Eileanan Siar",
    "North Ayrshire", "North Lanarkshire", "Orkney Islands", "Perth and Kinross",
    "Renfrewshire", "Scottish Borders", "Shetland Islands", "South Ayrshire",
    "South Lanarkshire", "Stirling", "West Dunbartonshire", "West Lothian",
]  # fmt: skip
HEALTH_BOARDS = [
    "Ayrshire and Arran", "Borders", "Dumfries and Galloway", "Fife", "Forth Valley",
    "Grampian", "Greater Glasgow and Clyde", "Highland", "Lanarkshire", "Lothian", "Orkney",
    "Shetland", "Tayside", "Western Isles",
]  # fmt: skip

# (sector, share of the organisations, fixed names first, patterns for the rest). The first
# fixed name of each sector is one of the bodies the plan names most often.
SECTORS = [
    (
        "scottish-government",
        0.10,
        ["Scottish Government", "Children's Hearings Scotland", "Social Security Scotland",
         "Scottish Children's Reporter Administration", "Disclosure Scotland"],
        ["{topic} Directorate", "{topic} Division"],
    ),
    ("local-government", 0.24, ["Convention of Scottish Local Authorities"],
     ["{area} Council", "{area} Children's Services Partnership"]),
    ("health", 0.15, ["Public Health Scotland", "NHS Education for Scotland"],
     ["NHS {board}", "{area} Health and Social Care Partnership",
      "NHS {board} Child and Adolescent Mental Health Service"]),
    ("education", 0.10, ["Education Scotland", "Colleges Scotland"],
     ["{area} College", "{area} Schools Service"]),
    ("justice", 0.06, ["Police Scotland", "Scottish Courts and Tribunals Service"],
     ["{area} Youth Justice Service", "{area} Justice Social Work"]),
    ("third-sector", 0.27, ["Who Cares? Scotland", "Staf"], ["{surname} {charity}"]),
    ("scrutiny", 0.04, ["Care Inspectorate", "Scottish Social Services Council"],
     ["{topic} Review Panel"]),
    ("uk-government", 0.02, ["Home Office", "Department for Work and Pensions"],
     ["{topic} Unit (UK)"]),
    ("other", 0.02, ["Corporate parents"], ["{area} {topic} Partnership"]),
]  # fmt: skip
CHARITY_KINDS = [
    "Trust", "Foundation", "Family Support", "Advocacy Service", "Youth Project",
    "Children's Charity", "Kinship Care Network", "Carers' Association",
]  # fmt: skip
TOPICS = [
    "Children and Families", "Care Experience", "Social Work", "Youth Work", "Housing",
    "Mental Health", "Child Protection", "Workforce", "Family Support", "Education Recovery",
    "Justice Reform", "Data and Digital", "Equalities", "Parenting",
]  # fmt: skip

VERBS = [
    "publish", "agree", "deliver", "review", "test", "introduce", "evaluate", "fund",
    "set up", "report on", "extend", "embed", "co-design", "consult on",
]  # fmt: skip
THINGS = [
    "a national framework for kinship care assessments",
    "guidance on keeping brothers and sisters together",
    "a workforce development plan for foster carers",
    "minimum standards for advocacy",
    "a single plan for each child's records",
    "trauma-informed training for residential staff",
    "an alternative to secure care for young people in crisis",
    "financial support for kinship carers",
    "new arrangements for family time",
    "a national data set on care experience",
    "a review of restraint in schools and care settings",
    "lifelong support for care experienced adults",
    "changes to the children's hearings system",
    "a housing pathway for young people leaving care",
    "mental health support in every local authority",
]
GROUPS = [
    "care experienced children and young people",
    "kinship carers",
    "foster families",
    "children in secure care",
    "brothers and sisters",
    "families on the edge of care",
    "young people leaving care",
    "unaccompanied asylum seeking children",
    "care experienced adults",
]
DATE_LABELS = ["Early {year}", "Spring {year}", "Summer {year}", "Autumn {year}", "{month} {year}"]
STATUS_WEIGHTS = {
    # status: weight in a past year, in the reference year, in a future year
    "achieved": (55, 25, 2),
    "in_progress": (15, 40, 30),
    "delayed": (15, 15, 5),
    "not_started": (4, 8, 20),
    "no_update": (4, 7, 40),
    "no_longer_planned": (7, 5, 3),
}


@dataclass(frozen=True)
class PlanSize:
    route_maps: int
    outcomes: int
    milestones_per_year: int
    organisations: int

    @classmethod
    def at_scale(cls, scale: float) -> "PlanSize":
        """Scale 1 is the benchmark plan; smaller scales shrink it for tests (never below
        two route maps, two outcomes and one milestone per year)."""
        if scale <= 0:
            raise ValueError("The scale must be greater than zero.")
        return cls(
            route_maps=max(2, min(len(ROUTE_MAPS), round(len(ROUTE_MAPS) * scale))),
            outcomes=max(2, min(7, round(7 * scale * 5))),
            milestones_per_year=max(1, round(20 * scale)),
            organisations=max(len(SECTORS) * 2, round(200 * scale)),
        )

    @property
    def milestones(self) -> int:
        return self.route_maps * self.outcomes * len(YEARS) * self.milestones_per_year


class PlanExists(Exception):
    """The database already holds route maps: generating would mix two plans."""


class Writer:
    """Seeded text and choices; every generated value goes through here."""

    def __init__(self, seed: int):
        from faker import Faker

        self.rng = random.Random(seed)
        # Faker's English word list (en_GB's lorem is Latin); sentences are assembled here,
        # which is several times faster than Faker's own.
        self.words = Faker("en_US").get_words_list()
        self.names = Faker("en_GB")
        self.names.seed_instance(seed + 1)

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def length(self, median: int, low: int, high: int) -> int:
        """A text length drawn around `median`, skewed long as real prose is."""
        return max(low, min(high, int(self.rng.lognormvariate(math.log(median), 0.45))))

    def sentence(self) -> str:
        words = self.rng.choices(self.words, k=self.rng.randint(8, 22))
        return " ".join(words).capitalize() + "."

    def prose(self, opening: str, median: int, low: int = 60, high: int = 2000) -> str:
        target = self.length(median, low, high)
        parts = [opening] if opening else []
        size = len(opening)
        while size < target:
            sentence = self.sentence()
            parts.append(sentence)
            size += len(sentence) + 1
        return " ".join(parts)

    def paragraphs(self, median: int, count: int) -> str:
        return "\n\n".join(self.prose("", median) for _ in range(count))

    def milestone_text(self, actor: str) -> str:
        rng = self.rng
        opening = (
            f"{actor} will {rng.choice(VERBS)} {rng.choice(THINGS)} "
            f"with and for {rng.choice(GROUPS)}."
        )
        return self.prose(opening, median=330, low=90, high=900)

    def date_label(self, date: datetime.date) -> str:
        pattern = self.rng.choice(DATE_LABELS)
        return pattern.format(year=date.year, month=date.strftime("%B"))

    def status(self, year: int) -> str:
        column = 0 if year < REFERENCE_YEAR else 1 if year == REFERENCE_YEAR else 2
        statuses = list(STATUS_WEIGHTS)
        weights = [STATUS_WEIGHTS[s][column] for s in statuses]
        return self.rng.choices(statuses, weights=weights)[0]

    def pick(self, population: list, cum_weights: list[float], count: int) -> list:
        """`count` distinct items, favouring the heavily weighted ones."""
        chosen: list = []
        for _ in range(count * 10):
            if len(chosen) == count:
                break
            item = self.rng.choices(population, cum_weights=cum_weights)[0]
            if item not in chosen:
                chosen.append(item)
        return chosen


def _organisations(writer: Writer, total: int):
    from django.utils.text import slugify

    from organisations.models import Organisation

    rng = writer.rng
    fill = {
        "area": lambda: rng.choice(COUNCIL_AREAS),
        "board": lambda: rng.choice(HEALTH_BOARDS),
        "topic": lambda: rng.choice(TOPICS),
        "surname": writer.names.last_name,
        "charity": lambda: rng.choice(CHARITY_KINDS),
    }

    def invent(patterns: list[str]) -> str:
        pattern = rng.choice(patterns)
        return pattern.format(**{k: fill[k]() for k in fill if "{" + k + "}" in pattern})

    names: dict[str, str] = {}
    remaining = total
    for index, (sector, share, fixed, patterns) in enumerate(SECTORS):
        sectors_left = len(SECTORS) - index - 1
        count = remaining if not sectors_left else max(2, round(total * share))
        count = min(count, remaining - 2 * sectors_left)
        remaining -= count
        wanted = fixed[:count]
        while len(wanted) < count:
            name = invent(patterns)
            for _ in range(50):
                if name not in names and name not in wanted:
                    break
                name = invent(patterns)
            else:
                name = f"{name} ({len(names) + len(wanted) + 1})"  # only at scales above 1
            wanted.append(name)
        names.update(dict.fromkeys(wanted, sector))
    organisations = [
        Organisation(
            name=name,
            slug=slugify(name)[:100],
            sector=sector,
            abbreviation="".join(w[0] for w in name.split() if w[0].isupper())
            if rng.random() < 0.2
            else "",
        )
        for name, sector in names.items()
    ]
    return Organisation.objects.bulk_create(organisations, batch_size=BATCH_SIZE)


def _reset():
    from django.db.models import ProtectedError

    from organisations.models import Organisation
    from routemap.models import RouteMap

    RouteMap.objects.all().delete()
    try:
        Organisation.objects.all().delete()
    except ProtectedError as exc:
        raise PlanExists(
            "Some organisations are still referred to by other records (for example source "
            "commitments); use an empty database for benchmarks."
        ) from exc


def generate(*, scale: float = 1.0, seed: int = DEFAULT_SEED, reset: bool = False) -> dict:
    """Write the plan; returns the number of rows of each kind."""
    from django.core.cache import cache
    from django.db import transaction

    from routemap.models import RouteMap

    size = PlanSize.at_scale(scale)
    with transaction.atomic():
        if RouteMap.objects.exists():
            if not reset:
                raise PlanExists(
                    "The database already has route maps; run with --reset to replace them "
                    "(every route map and organisation is deleted)."
                )
            _reset()
        counts = _write_plan(size, Writer(seed))
    # Bulk writes send no signals, so nothing told the page cache that the plan changed.
    cache.clear()
    return counts


def _write_plan(size: PlanSize, writer: Writer) -> dict:
    from django.utils import timezone
    from django.utils.text import slugify

    from milestones.models import Milestone, MilestoneOrganisation
    from organisations.models import Role
    from outcomes.models import Outcome, OutcomeOrganisation, ProgressEntry
    from routemap.models import Edition, Foundation, RouteMap, WhatMatters

    rng = writer.rng
    existing = set(Foundation.objects.values_list("slug", flat=True))
    Foundation.objects.bulk_create(
        Foundation(slug=slug, name=name, order=n)
        for n, (slug, name) in enumerate(FOUNDATIONS, start=1)
        if slug not in existing
    )
    foundations = {f.slug: f for f in Foundation.objects.filter(slug__in=dict(FOUNDATIONS))}
    created = _organisations(writer, size.organisations)
    # A few bodies (the Scottish Government, COSLA...) are named far more often than most:
    # they come first, and the chance of naming a body falls with its rank.
    prominent = {fixed[0] for _, _, fixed, _ in SECTORS}
    organisations = [o for o in created if o.name in prominent]
    others = [o for o in created if o.name not in prominent]
    rng.shuffle(others)
    organisations += others
    cum_weights = list(_accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(organisations))))

    chosen_maps = ROUTE_MAPS[: size.route_maps]
    route_maps = RouteMap.objects.bulk_create(
        RouteMap(
            title=title,
            slug=slugify(title),
            foundation=foundations[foundation],
            order=order,
        )
        for order, (title, foundation) in enumerate(chosen_maps, start=1)
    )
    first_published = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)
    editions = []
    for route_map in route_maps:
        published_at = first_published + datetime.timedelta(days=rng.randint(0, 240))
        editions.append(
            Edition(
                route_map=route_map,
                state=Edition.State.PUBLISHED,
                number=1,
                introduction=writer.prose("", median=250),
                summary=writer.paragraphs(median=350, count=2),
                summary_detail=writer.paragraphs(median=400, count=3),
                vision=writer.prose("", median=400),
                last_updated=timezone.localdate(published_at),
                change_note="First publication.",
                published_at=published_at,
            )
        )
    editions = Edition.objects.bulk_create(editions)
    WhatMatters.objects.bulk_create(
        WhatMatters(edition=edition, order=order, text=writer.prose("", median=140, low=40))
        for edition in editions
        for order in range(1, rng.randint(3, 6) + 1)
    )

    outcomes = []
    for edition in editions:
        for order, title in enumerate(rng.sample(OUTCOME_TITLES, size.outcomes), start=1):
            opening = f"{rng.choice(GROUPS).capitalize()} get what they need from {title.lower()}."
            outcomes.append(
                Outcome(
                    edition=edition,
                    key=writer.uuid(),
                    order=order,
                    slug=slugify(title),
                    title=title,
                    statement=writer.prose(opening, median=250, low=100, high=600),
                )
            )
    outcomes = Outcome.objects.bulk_create(outcomes, batch_size=BATCH_SIZE)

    outcome_links, linked, progress = [], [], []
    outcome_bodies: dict[int, list] = {}
    Links = Outcome.linked_route_maps.through
    for outcome in outcomes:
        bodies = writer.pick(organisations, cum_weights, rng.randint(2, 6))
        outcome_bodies[outcome.pk] = bodies
        for order, organisation in enumerate(bodies, start=1):
            role = Role.LEAD if order == 1 else Role.CONTRIBUTOR
            if rng.random() < 0.1:
                role = Role.UNSTATED
            outcome_links.append(
                OutcomeOrganisation(
                    outcome=outcome, organisation=organisation, role=role, order=order
                )
            )
        own_map = outcome.edition.route_map_id
        others = [rm for rm in route_maps if rm.pk != own_map]
        for route_map in rng.sample(others, min(len(others), rng.randint(0, 3))):
            linked.append(Links(outcome=outcome, routemap=route_map))
        for order in range(1, rng.randint(2, 5) + 1):
            date = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 1050))
            progress.append(
                ProgressEntry(
                    outcome=outcome,
                    key=writer.uuid(),
                    order=order,
                    date=date,
                    date_label=writer.date_label(date) if rng.random() < 0.8 else "",
                    text=writer.prose("", median=420, low=120, high=1500),
                )
            )
    OutcomeOrganisation.objects.bulk_create(outcome_links, batch_size=BATCH_SIZE)
    Links.objects.bulk_create(linked, batch_size=BATCH_SIZE)
    ProgressEntry.objects.bulk_create(progress, batch_size=BATCH_SIZE)

    milestones, milestone_bodies = [], []
    for outcome in outcomes:
        bodies = outcome_bodies[outcome.pk]
        for year in YEARS:
            for order in range(1, size.milestones_per_year + 1):
                own = []
                if rng.random() >= 0.35:  # otherwise inherit the outcome's bodies
                    count = rng.choice([1, 1, 1, 2, 2, 3])
                    if rng.random() < 0.6:
                        own = rng.sample(bodies, min(count, len(bodies)))
                    else:
                        own = writer.pick(organisations, cum_weights, count)
                actor = (own or bodies)[0].name
                status = writer.status(year)
                note = ""
                if status not in ("not_started", "no_update") and rng.random() < 0.4:
                    note = writer.prose("", median=160, low=40, high=500)
                milestones.append(
                    Milestone(
                        outcome=outcome,
                        key=writer.uuid(),
                        year=year,
                        order=order,
                        text=writer.milestone_text(actor),
                        status=status,
                        progress_note=note,
                        subject_to_decisions_after_may_2026=year >= 2026 and rng.random() < 0.15,
                    )
                )
                milestone_bodies.append(own)
    milestones = Milestone.objects.bulk_create(milestones, batch_size=BATCH_SIZE)
    milestone_links = []
    for milestone, own in zip(milestones, milestone_bodies, strict=True):
        for order, organisation in enumerate(own, start=1):
            role = Role.LEAD if order == 1 and rng.random() < 0.7 else Role.CONTRIBUTOR
            if rng.random() < 0.1:
                role = Role.UNSTATED
            milestone_links.append(
                MilestoneOrganisation(
                    milestone=milestone, organisation=organisation, role=role, order=order
                )
            )
    MilestoneOrganisation.objects.bulk_create(milestone_links, batch_size=BATCH_SIZE)
    return {
        "route maps": len(route_maps),
        "editions": len(editions),
        "outcomes": len(outcomes),
        "milestones": len(milestones),
        "organisations": len(organisations),
        "outcome organisations": len(outcome_links),
        "milestone organisations": len(milestone_links),
        "progress entries": len(progress),
        "linked route maps": len(linked),
    }


def _accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 24,500 milestones")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--reset", action="store_true", help="delete every route map and organisation first"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")
    import django

    django.setup()
    started = time.perf_counter()
    try:
        counts = generate(scale=args.scale, seed=args.seed, reset=args.reset)
    except (PlanExists, ValueError) as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    summary = ", ".join(f"{n:,} {kind}" for kind, n in counts.items())
    print(f"Generated {summary} in {elapsed:.1f} s (scale {args.scale:g}, seed {args.seed}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

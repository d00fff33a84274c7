"""Demo organisations, accounts, progress and executions, generated on the reference data of pilots.reference."""

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .bin import valid_bin_from
from .models import Activity, ActivityProgress, ClauseExecution, Order, Organisation, Region, User
from .reference import load_algorithm, load_order, load_regions, read_fixture
from .roles import institute_group

DEMO_PASSWORD = "demo-pass-2026"
ORGANISATIONS_PER_REGION = 5
PRIVATE_SHARE = 38  # of every 100, as the ministry announced: 62 state and 38 private

# Plausible people for the demo's accounts, so that pages, histories and mail name a person as they will in
# production; (first name, surname) pairs of the same gender, combined by index.
DEMO_WOMEN = [
    ("Айгүл", "Серікбаева"),
    ("Гүлнар", "Жақыпова"),
    ("Динара", "Оспанова"),
    ("Жанар", "Әбенова"),
    ("Мәдина", "Құрманова"),
    ("Сәуле", "Бекова"),
    ("Ләззат", "Төлеуова"),
    ("Назым", "Ахметова"),
    ("Әсем", "Нұрланова"),
    ("Ирина", "Ковалева"),
    ("Бағила", "Жұмабаева"),
]
DEMO_MEN = [
    ("Ерлан", "Сәрсенов"),
    ("Бауыржан", "Қасымов"),
    ("Нұржан", "Омаров"),
    ("Дәурен", "Исаев"),
    ("Асхат", "Мұқанов"),
    ("Серік", "Жанұзақов"),
    ("Андрей", "Петренко"),
]
COORDINATOR_POSITION = "Мектепке дейінгі білім беру бөлімінің бас маманы"
STAFF_POSITION = "Әдіскер"


def demo_person(index: int) -> tuple[str, str]:
    """The index-th demo person's first name and surname; two in three are women, as in preschool education."""
    people = DEMO_WOMEN if index % 3 else DEMO_MEN
    first = people[index % len(people)][0]
    surname = people[(index * 5 + 2) % len(people)][1]
    return first, surname


KINDERGARTEN_NAMES = [
    "Балапан",
    "Айгөлек",
    "Болашақ",
    "Ақбота",
    "Еркетай",
    "Күншуақ",
    "Жұлдыз",
    "Бәйтерек",
    "Қуаныш",
    "Шаттық",
    "Ақниет",
    "Балдырған",
    "Нұршуақ",
    "Арай",
    "Достық",
    "Бөбек",
    "Айналайын",
    "Мөлдір",
    "Қарлығаш",
    "Гүлдер",
    "Ботақан",
    "Құлыншақ",
    "Әлем",
    "Тамшы",
    "Ертегі",
]
DIRECTORS = [
    "Ахметова Гүлнар Серікқызы",
    "Жұмабаева Әсем Қайратқызы",
    "Иванова Светлана Петровна",
    "Нұрланова Айгүл Болатқызы",
    "Сейітова Мәдина Ержанқызы",
    "Қасымова Жанар Әділқызы",
    "Петренко Ольга Викторовна",
    "Омарова Динара Маратқызы",
    "Бекова Салтанат Нұрланқызы",
    "Тоқтарова Ләззат Қанатқызы",
    "Ким Елена Сергеевна",
    "Смағұлова Ақмарал Есенқызы",
]


def demo_bin(index: int) -> str:
    """A valid BIN for the index-th demo organisation: registered 2000–2019, a resident legal entity."""
    return valid_bin_from(f"{(index % 20):02d}{(index % 12) + 1:02d}40{index * 7 + 101:05d}")


def _organisation_fields(index: int, region_row: dict, rng: random.Random) -> dict:
    city_region = region_row["code"] in ("KZ-71", "KZ-75", "KZ-79")
    private = (index * 37) % 100 < PRIVATE_SHARE
    name = KINDERGARTEN_NAMES[index % len(KINDERGARTEN_NAMES)]
    number = 10 + (index * 13) % 180
    rural = not city_region and index % 5 in (3, 4)
    # Rural organisations and those in the three cities sit in a district; the others in the regional centre.
    if rural or city_region:
        district_kk, district_ru = region_row["districts"][index % 2]
    else:
        district_kk, district_ru = region_row["centre_kk"], region_row["centre_ru"]
    if private:
        name_kk = f"«{name}» жеке балабақшасы (демо)"
        name_ru = f"Частный детский сад «{name}» (демо)"
    else:
        name_kk = f"№{number} «{name}» бөбекжай-бақшасы (демо)"
        name_ru = f"Ясли-сад №{number} «{name}» (демо)"
    groups = rng.randint(3, 12)
    language = ["kk", "kk", "kk", "ru", "mixed"][index % 5]
    return {
        "name_kk": name_kk,
        "name_ru": name_ru,
        "district_kk": district_kk,
        "district_ru": district_ru,
        "settlement": Organisation.Settlement.RURAL if rural else Organisation.Settlement.URBAN,
        "ownership": Organisation.Ownership.PRIVATE if private else Organisation.Ownership.STATE,
        "language": language,
        "groups": groups,
        "children": groups * rng.randint(18, 25),
        "director": DIRECTORS[index % len(DIRECTORS)],
        "phone": f"+7 7{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        "email": f"demo-{index + 1:03d}@example.org",
        "in_pilot_from": datetime.date(2026, 1, 1),
        "is_demo": True,
    }


def load_demo_organisations(regions: dict[str, Region]) -> list[Organisation]:
    rng = random.Random(2026)
    organisations = []
    for region_index, region_row in enumerate(read_fixture("regions.json")):
        for k in range(ORGANISATIONS_PER_REGION):
            index = region_index * ORGANISATIONS_PER_REGION + k
            fields = _organisation_fields(index, region_row, rng)
            fields["region"] = regions[region_row["code"]]
            organisation, _created = Organisation.objects.get_or_create(bin=demo_bin(index), defaults=fields)
            organisations.append(organisation)
    return organisations


def load_demo_progress(organisations: list[Organisation], today: datetime.date) -> None:
    """Ticks for activities whose stage has begun, most of them done, so the cards show a real spread."""
    existing = set(ActivityProgress.objects.values_list("organisation_id", "activity_id"))
    rows = []
    for activity in Activity.objects.select_related("stage"):
        if activity.stage.starts_on > today:
            continue
        for organisation in organisations:
            # Seeded per pair, so a second run makes the same choices and adds nothing.
            rng = random.Random(f"{organisation.bin}:{activity.code}")
            if (organisation.pk, activity.pk) in existing or rng.random() < 0.15:
                continue
            span = max((min(activity.due_on or today, today) - activity.stage.starts_on).days, 0)
            rows.append(
                ActivityProgress(
                    organisation=organisation,
                    activity=activity,
                    done=True,
                    done_on=activity.stage.starts_on + datetime.timedelta(days=rng.randint(0, span)),
                    note="",
                )
            )
    ActivityProgress.objects.bulk_create(rows)


def staff_account_fields(organisation: Organisation) -> dict:
    """What makes a demonstration account the staff of `organisation` (load_demo's, and scripts/load_test.py's)."""
    return {"role": User.Role.ORGANISATION, "organisation": organisation, "position": STAFF_POSITION}


def load_demo_users(regions: dict[str, Region], organisations: list[Organisation]) -> int:
    # One hash for every demo account: hashing 120 passwords one by one would take a minute.
    password = make_password(DEMO_PASSWORD)
    specs = [
        ("admin", {"role": User.Role.ADMIN, "is_staff": True, "is_superuser": True}),
        (
            "institute",
            {
                "role": User.Role.INSTITUTE,
                "first_name": "Айжан",
                "last_name": "Мұратова",
                "position": "Мониторинг бөлімінің жетекші ғылыми қызметкері",
            },
        ),
        # The approval block prints the director's name: a demo account's says it is one.
        ("director", {"role": User.Role.DIRECTOR, "first_name": "Демо", "last_name": "Директор"}),
        (
            "ministry",
            {
                "role": User.Role.MINISTRY,
                "first_name": "Ғалия",
                "last_name": "Сапарова",
                "position": "Мектепке дейінгі білім беру департаментінің бас сарапшысы",
            },
        ),
    ]
    specs += [
        (
            f"region-{code.lower()}",
            {"role": User.Role.REGION, "region": region, "position": COORDINATOR_POSITION},
        )
        for code, region in regions.items()
    ]
    specs += [(f"org-{o.bin}", staff_account_fields(o)) for o in organisations]
    created = 0
    for index, (username, fields) in enumerate(specs):
        if fields["role"] in (User.Role.REGION, User.Role.ORGANISATION):
            fields = dict(fields)
            fields["first_name"], fields["last_name"] = demo_person(index)
        # A demo address for each account, so the console mail backend shows what would be sent.
        defaults = {**fields, "password": password, "email": f"{username}@demo.example.org"}
        user, was_created = User.objects.get_or_create(username=username, defaults=defaults)
        created += was_created
        if not was_created and not (user.first_name or user.last_name) and fields.get("first_name"):
            # A demo loaded before its accounts had names: name them, leave any name someone gave by hand.
            User.objects.filter(pk=user.pk).update(
                first_name=fields["first_name"],
                last_name=fields.get("last_name", ""),
                position=fields.get("position", ""),
            )
    institute = User.objects.get(username="institute")
    if not institute.is_staff:
        institute.is_staff = True  # the admin is where the Institute edits periods, indicators and rules
        institute.save(update_fields=["is_staff"])
    institute.groups.add(institute_group())
    return created


def load_demo_executions(order: Order) -> None:
    """Recorded executions of clauses the Department did before the portal existed, marked as demo."""
    notes = [
        (
            "5",
            datetime.date(2025, 11, 24),
            "Бұйрық Институтқа және өңірлердің білім басқармаларына жеткізілді (демо жазба).",
            "",
        ),
        ("3.1", datetime.date(2026, 4, 8), "Тоқсандық есеп Департаментке жіберілді (демо жазба) · 2026-Q1", "2026-Q1"),
        ("3.1", datetime.date(2026, 7, 8), "Тоқсандық есеп Департаментке жіберілді (демо жазба) · 2026-Q2", "2026-Q2"),
        ("3.1", datetime.date(2026, 10, 9), "Тоқсандық есеп Департаментке жіберілді (демо жазба) · 2026-Q3", "2026-Q3"),
    ]
    for number, done_on, note, reference in notes:
        clause = order.clauses.get(number=number)
        execution, _created = ClauseExecution.objects.get_or_create(
            clause=clause, done_on=done_on, defaults={"note": note, "reference": reference}
        )
        if reference and not execution.reference:  # a demo loaded before records named their quarter
            ClauseExecution.objects.filter(pk=execution.pk).update(reference=reference)


@transaction.atomic
def load_demo(*, today: datetime.date) -> dict[str, int]:
    """Everything the demo needs; running it twice changes nothing."""
    order = load_order()
    regions = load_regions()
    load_algorithm()
    organisations = load_demo_organisations(regions)
    load_demo_progress(organisations, today)
    users = load_demo_users(regions, organisations)
    load_demo_executions(order)
    return {"regions": len(regions), "organisations": len(organisations), "users_created": users}

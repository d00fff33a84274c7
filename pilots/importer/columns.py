"""The columns of Appendix 2: codes, the labels the template prints, and the words each choice accepts."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from ..models import Organisation


@dataclass(frozen=True)
class Column:
    """One column of Appendix 2: its code, the labels the template uses and what it accepts."""

    code: str
    label_kk: str
    label_ru: str
    name: Promise
    allowed: Promise
    example: str = ""
    required: bool = False
    width: int = 20
    as_text: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column(
        "bin",
        "БСН",
        "БИН",
        gettext_lazy("BIN"),
        gettext_lazy("12 digits with a valid check digit; format the column as text to keep leading zeros"),
        example="",
        required=True,
        width=16,
        as_text=True,
    ),
    Column(
        "name_kk",
        "Атауы (қазақ тілінде)",
        "Наименование (на казахском языке)",
        gettext_lazy("name (Kazakh)"),
        gettext_lazy("the organisation's full name in Kazakh; give it or the Russian name"),
        example="№12 «Балапан» бөбекжай-бақшасы",
        width=45,
    ),
    Column(
        "name_ru",
        "Атауы (орыс тілінде)",
        "Наименование (на русском языке)",
        gettext_lazy("name (Russian)"),
        gettext_lazy("the organisation's full name in Russian; give it or the Kazakh name"),
        example="Ясли-сад №12 «Балапан»",
        width=45,
    ),
    Column(
        "region",
        "Өңір",
        "Регион",
        gettext_lazy("region"),
        gettext_lazy("the ISO code (KZ-71) or the region's name in Kazakh or Russian"),
        example="KZ-71",
        required=True,
        width=24,
    ),
    Column(
        "district_kk",
        "Аудан / қала",
        "Район / город",
        gettext_lazy("district or city (Kazakh)"),
        gettext_lazy("the district or city, in Kazakh"),
        example="Есіл ауданы",
        width=24,
        # Before the Russian name had a column of its own, this one was called "district".
        aliases=("district",),
    ),
    Column(
        "district_ru",
        "Аудан / қала (орыс тілінде)",
        "Район / город (на русском языке)",
        gettext_lazy("district or city (Russian)"),
        gettext_lazy("the district or city, in Russian"),
        example="район Есиль",
        width=24,
    ),
    Column(
        "settlement",
        "Елді мекен түрі",
        "Тип населённого пункта",
        gettext_lazy("settlement type"),
        gettext_lazy("urban or rural (қала / ауыл, город / село)"),
        example="қала",
        width=18,
    ),
    Column(
        "ownership",
        "Меншік нысаны",
        "Форма собственности",
        gettext_lazy("ownership"),
        gettext_lazy("state or private (мемлекеттік / жеке, государственная / частная)"),
        example="мемлекеттік",
        width=18,
    ),
    Column(
        "language",
        "Оқыту тілі",
        "Язык обучения",
        gettext_lazy("language of instruction"),
        gettext_lazy("kk, ru or mixed (қазақ / орыс / аралас, казахский / русский / смешанный)"),
        example="kk",
        width=16,
    ),
    Column(
        "groups",
        "Топтар саны",
        "Количество групп",
        gettext_lazy("number of groups"),
        gettext_lazy("a whole number, 0 or more"),
        example="6",
        width=12,
    ),
    Column(
        "children",
        "Балалар саны",
        "Количество детей",
        gettext_lazy("children enrolled"),
        gettext_lazy("a whole number, 0 or more"),
        example="140",
        width=12,
    ),
    Column(
        "director",
        "Басшы (Т.А.Ә.)",
        "Руководитель (Ф.И.О.)",
        gettext_lazy("director"),
        gettext_lazy("the director's full name"),
        example="Ахметова Гүлнар Серікқызы",
        width=30,
    ),
    Column(
        "phone",
        "Телефон",
        "Телефон",
        gettext_lazy("phone"),
        gettext_lazy("a phone number; it may start with +"),
        example="+7 717 255 00 00",
        width=20,
        as_text=True,
    ),
    Column(
        "email",
        "Электрондық пошта",
        "Электронная почта",
        gettext_lazy("e-mail"),
        gettext_lazy("a valid e-mail address"),
        example="balapan@example.kz",
        width=28,
    ),
)
COLUMNS_BY_CODE = {c.code: c for c in COLUMNS}
NAME_COLUMNS = ("name_kk", "name_ru")
TEXT_COLUMNS = ("name_kk", "name_ru", "district_kk", "district_ru", "director", "phone", "email")
NUMBER_COLUMNS = ("groups", "children")


def _normal(value: str) -> str:
    """Compare words as a person would: case, repeated spaces, ё/е and a trailing full stop do not matter."""
    return " ".join(str(value).replace("\u00a0", " ").split()).casefold().replace("ё", "е").rstrip(".")


def _words(mapping: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_normal(word): value for value, words in mapping.items() for word in (value, *words)}


SETTLEMENT_WORDS = _words(
    {
        Organisation.Settlement.URBAN: ("қала", "қалалық", "город", "городской", "городская", "городское"),
        Organisation.Settlement.RURAL: ("ауыл", "ауылдық", "село", "сельский", "сельская", "сельское", "аул"),
    }
)
OWNERSHIP_WORDS = _words(
    {
        Organisation.Ownership.STATE: ("мемлекеттік", "государственная", "государственный", "государственное"),
        Organisation.Ownership.PRIVATE: ("жеке", "жеке меншік", "жекеменшік", "частная", "частный", "частное"),
    }
)
LANGUAGE_WORDS = _words(
    {
        Organisation.Language.KAZAKH: ("kazakh", "қазақ", "қазақша", "қазақ тілі", "казахский", "казахский язык"),
        Organisation.Language.RUSSIAN: ("russian", "орыс", "орысша", "орыс тілі", "русский", "русский язык"),
        Organisation.Language.MIXED: (
            "аралас",
            "смешанный",
            "смешанная",
            "смешанное",
            "kk/ru",
            "қазақ/орыс",
            "казахский/русский",
            "қазақ және орыс",
            "казахский и русский",
        ),
    }
)
CHOICE_WORDS = {"settlement": SETTLEMENT_WORDS, "ownership": OWNERSHIP_WORDS, "language": LANGUAGE_WORDS}

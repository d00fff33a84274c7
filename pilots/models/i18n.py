"""Names stored in Kazakh and Russian (English optional), shown in the active language."""

from django.utils.translation import get_language

FALLBACK_ORDER = ("kk", "ru", "en")


def localized(obj, field: str) -> str:
    """The value of `field_<lang>` for the active language, else the first one filled."""
    return localized_from({code: getattr(obj, f"{field}_{code}", "") for code in FALLBACK_ORDER})


def localized_from(texts: dict) -> str:
    """From {"kk": ..., "ru": ..., "en": ...}, the text in the active language, else the first one filled."""
    lang = (get_language() or "kk")[:2]
    for code in (lang, *FALLBACK_ORDER):
        if texts.get(code):
            return texts[code]
    return ""


class LocalizedNameMixin:
    """Gives a model with name_kk/name_ru/name_en a `name` in the user's language."""

    @property
    def name(self) -> str:
        return localized(self, "name")

    def __str__(self) -> str:
        return self.name

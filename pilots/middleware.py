from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class PortalLocaleMiddleware(LocaleMiddleware):
    """The language a person chose (cookie, else their account), else Kazakh.

    The browser's Accept-Language is ignored on purpose: office machines ship with English or
    Russian settings nobody chose, and the portal's default is the state language."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in SUPPORTED:
            user = getattr(request, "user", None)
            language = user.language if user is not None and user.is_authenticated else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

"""Signal receivers of the registry, connected in PilotsConfig.ready()."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="pilots.remember_language_chosen_before_sign_in")
def remember_language_chosen_before_sign_in(sender, request, user, **kwargs):
    """A language chosen on the sign-in page (only a cookie then) goes to the account, so mail follows it."""
    if request is None:
        return
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    choices = dict(type(user)._meta.get_field("language").choices)
    if language in choices and language != user.language:
        user.language = language
        user.save(update_fields=["language"])

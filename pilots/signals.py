"""Signal receivers of the registry, connected in PilotsConfig.ready()."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .views.i18n import CHOSEN_BEFORE_SIGN_IN


@receiver(user_logged_in, dispatch_uid="pilots.remember_language_chosen_before_sign_in")
def remember_language_chosen_before_sign_in(sender, request, user, **kwargs):
    """A language chosen on the sign-in page goes to the account, so mail follows it. Only a choice made
    in this visit counts: on a shared office computer the cookie may be the previous person's."""
    if request is None or not hasattr(request, "session"):
        return
    language = request.session.pop(CHOSEN_BEFORE_SIGN_IN, "")
    choices = dict(type(user)._meta.get_field("language").choices)
    if language in choices and language != user.language:
        user.language = language
        user.save(update_fields=["language"])

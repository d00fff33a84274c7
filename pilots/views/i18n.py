from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from ..models import User

CHOSEN_BEFORE_SIGN_IN = "language_chosen_before_sign_in"


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the account for mail."""
    response = django_set_language(request)
    lang = request.POST.get("language", "")
    if lang not in dict(User._meta.get_field("language").choices):
        return response
    if request.user.is_authenticated:
        User.objects.filter(pk=request.user.pk).update(language=lang)
    else:
        # Chosen by the person now at the sign-in page, not left in the cookie by the one before.
        request.session[CHOSEN_BEFORE_SIGN_IN] = lang
    return response

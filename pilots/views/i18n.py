from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from ..models import User


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the account for mail."""
    response = django_set_language(request)
    lang = request.POST.get("language", "")
    if request.user.is_authenticated and lang in dict(User._meta.get_field("language").choices):
        User.objects.filter(pk=request.user.pk).update(language=lang)
    return response

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from .. import policy


@login_required
def home(request):
    """Send each role to the page it starts its day on."""
    name, kwargs = policy.home_url(request.user)
    return redirect(name, **kwargs)

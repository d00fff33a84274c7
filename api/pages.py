"""The page where a user makes and revokes their own API tokens."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .models import ApiToken
from .tokens import token_create, token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What the token is for"),
        max_length=100,
        help_text=gettext_lazy("For example: Power BI at the Department. Only you see your tokens."),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."), code="required")
        return name


@login_required
def token_list_view(request):
    """The user's tokens; a POST makes a new one, shown on this page once and never again."""
    created = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, created = token_create(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
    else:
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(request, "api/tokens.html", {"form": form, "tokens": tokens, "created": created})
    # The page that shows a token once must not be kept by the browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke_view(request, token_id):
    if not token_revoke(user=request.user, token_id=token_id):
        raise Http404("No such token of yours.")
    messages.success(request, _("The token was revoked: requests with it are refused from now on."))
    return redirect("api_tokens")

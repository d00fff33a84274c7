"""Django's own messages that the portal shows, listed so that makemessages puts them in our catalogue.

Django's Kazakh catalogue leaves many of them untranslated (sign-in errors, password rules, form
errors), and the portal's catalogue comes first in LOCALE_PATHS, so translating them here fills the
gaps. The objects are never used: only the strings matter.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

DJANGO_MESSAGES = [
    # django.contrib.auth: sign in, password change
    _("username"),
    _("password"),
    _("Password"),
    _("Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."),
    _("This account is inactive."),
    _("Old password"),
    _("New password"),
    _("New password confirmation"),
    _("Your old password was entered incorrectly. Please enter it again."),
    _("The two password fields didn’t match."),
    _("Enter the same password as before, for verification."),
    _("Password-based authentication"),
    # Password validators
    ngettext_lazy(
        "This password is too short. It must contain at least %(min_length)d character.",
        "This password is too short. It must contain at least %(min_length)d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    _("This password is too common."),
    _("This password is entirely numeric."),
    _("The password is too similar to the %(verbose_name)s."),
    _("Your password can’t be too similar to your other personal information."),
    _("Your password can’t be a commonly used password."),
    _("Your password can’t be entirely numeric."),
    # django.forms
    _("This field is required."),
    _("Enter a valid date."),
    _("Enter a whole number."),
    _("Enter a number."),
    _("Enter a valid email address."),
    _("Select a valid choice. %(value)s is not one of the available choices."),
    _("No file was submitted. Check the encoding type on the form."),
    _("The submitted file is empty."),
    _("Please either submit a file or check the clear checkbox, not both."),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this filename has at most %(max)d character (it has %(length)d).",
        "Ensure this filename has at most %(max)d characters (it has %(length)d).",
        "max",
    ),
    _("Ensure this value is greater than or equal to %(limit_value)s."),
    _("Ensure this value is less than or equal to %(limit_value)s."),
    # django.core.validators.DecimalValidator
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        "max",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
        "max",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit before the decimal point.",
        "Ensure that there are no more than %(max)s digits before the decimal point.",
        "max",
    ),
    # django.contrib.admin, which the Institute and the administrator use
    _("Recent actions"),
    _("My actions"),
    _("None available"),
    _("View site"),
    _("Authentication and Authorization"),
    _("Groups"),
    _("Users"),
    # django-axes in the admin (its models; the app label "Axes" is a name)
    _("access attempts"),
    _("access failures"),
    _("access logs"),
    _("access attempt expirations"),
]

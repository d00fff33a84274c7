from .models import User


def portal(request):
    """What base.html needs on every page: the user's role for the menu."""
    user = getattr(request, "user", None)
    role = user.role if user is not None and user.is_authenticated else ""
    return {
        "user_role": role,
        "can_import": role in (User.Role.INSTITUTE, User.Role.ADMIN),
    }

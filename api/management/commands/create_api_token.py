from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.tokens import token_create


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (shown once; the portal keeps only its SHA-256)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is not active: a token of theirs would be refused.")
        _token, raw = token_create(user=user, name=name)
        self.stdout.write(raw)

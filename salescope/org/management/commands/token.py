"""``salescope token create USERNAME [--name N]`` and ``salescope token revoke ID``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError, NotFound
from salescope.org import queries, services
from salescope.org.models import ApiToken


class Command(BaseCommand):
    help = _("Create or revoke personal API tokens.")

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help=_("Create a token for a person; prints it once."))
        create.add_argument("username")
        create.add_argument("--name", default="cli")
        revoke = sub.add_parser("revoke", help=_("Revoke a token by its id or prefix."))
        revoke.add_argument("token")
        listing = sub.add_parser("list", help=_("List a person's tokens."))
        listing.add_argument("username")

    def handle(self, *args: object, action: str, **options: str) -> None:
        try:
            if action == "create":
                user = queries.get_user_by_username(options["username"])
                issued = services.create_token(actor=None, user=user, name=options["name"])
                self.stdout.write(issued.raw)
            elif action == "revoke":
                token = self._find(options["token"])
                services.revoke_token(actor=None, token=token)
                self.stdout.write(_("Revoked token %s") % token)
            else:
                user = queries.get_user_by_username(options["username"])
                for token in queries.list_own_tokens(viewer=user):
                    state = _("active") if token.is_active else _("revoked")
                    used = token.last_used_at.isoformat() if token.last_used_at else "-"
                    self.stdout.write(f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}\t{used}")
        except DomainError as error:
            raise CommandError(error.detail) from None

    def _find(self, ref: str) -> ApiToken:
        try:
            return queries.find_token(ref)
        except NotFound:
            raise CommandError(_("No token %s.") % ref) from None

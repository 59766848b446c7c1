"""The ``salescope`` command: Django's management commands plus ``serve``.

    salescope migrate | demo | token create USER | backup FILE | restore FILE | serve [--port N]

``serve`` runs gunicorn with one sync worker per core (DESIGN.md); everything else is a Django
management command, so ``salescope help`` lists them all.
"""

import os
import sys


def _serve(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="salescope serve", description="Serve Salescope.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    parser.add_argument(
        "--workers", default=os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() or 2))
    )
    args = parser.parse_args(argv)
    gunicorn_args = [
        "gunicorn",
        "salescope.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    from gunicorn.app.wsgiapp import run

    sys.argv = gunicorn_args
    run()


def _two_word_command(argv: list[str]) -> list[str]:
    """``salescope report target-variance …`` → ``report_target_variance …`` when that command
    exists, so each app can add its own ``report``/``import`` kinds without one owner."""
    if len(argv) > 2 and argv[1] in {"report", "import"}:
        from django.core.management import get_commands

        candidate = f"{argv[1]}_{argv[2].replace('-', '_')}"
        if candidate in get_commands():
            return [argv[0], candidate, *argv[3:]]
    return argv


# Django's own commands of these names cannot use Salescope's people (a superuser every page
# refuses; a read of people that says not whose it is).
ALIASES = {"createsuperuser": "createadministrator", "changepassword": "setpassword"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescope.settings")
    if len(argv) > 1 and argv[1] == "serve":
        _serve(argv[2:])
        return
    import django
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.utils import translation

    try:
        django.setup()
    except ImproperlyConfigured as error:
        # A bad environment variable: say which, without a traceback (settings.py names it).
        sys.exit(f"salescope: configuration error: {error}")

    from salescope.core.audit_context import AuditSource, audit_source

    argv[0] = "salescope"
    argv = _two_word_command(argv)
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    # Commands speak the installation's language (LANGUAGE_CODE), and their writes are
    # audited as coming from the command line.
    with translation.override(settings.LANGUAGE_CODE), audit_source(AuditSource.CLI):
        execute_from_command_line(argv)


if __name__ == "__main__":
    main()

"""A company's first day on the command line: ``salescope init`` makes the company unit and
the first Salescope administrator, whom every command and page accepts; ``createsuperuser``
makes an administrator of that company, or refuses before ``init`` and points to it."""

import io
import json
from pathlib import Path

import pytest
from django.test import Client

from salescope.core.models import AuditEntry
from salescope.customers.models import Customer
from salescope.org import services
from salescope.org.choices import Role, UnitKind
from salescope.org.models import Membership, OrgUnit, User
from tests.core.cli import run_salescope

PASSWORD = "长城 wall 2026 正式密码"  # noqa: S105 - a test password


def _init(monkeypatch: pytest.MonkeyPatch, *extra: str) -> None:
    monkeypatch.setenv("SALESCOPE_ADMIN_PASSWORD", PASSWORD)
    run_salescope(
        monkeypatch,
        "init",
        "--no-input",
        "--company-name",
        "华远食品有限公司",
        "--company-code",
        "HY",
        "--username",
        "boss",
        "--full-name",
        "王总",
        *extra,
    )


@pytest.mark.django_db
def test_init_creates_the_company_and_an_administrator_with_flags(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(monkeypatch, "--language", "en")

    company = OrgUnit.objects.unrestricted().get()
    assert (company.name, company.code, company.kind, company.parent) == (
        "华远食品有限公司",
        "HY",
        UnitKind.COMPANY,
        None,
    )
    admin = User.objects.unrestricted().get()
    assert (admin.username, admin.full_name, admin.role, admin.unit, admin.language) == (
        "boss",
        "王总",
        Role.ADMINISTRATOR,
        company,
        "en",
    )
    assert (admin.is_active, admin.is_staff, admin.is_superuser) == (True, True, True)
    assert admin.check_password(PASSWORD)
    assert Membership.objects.get(person=admin).unit == company
    actions = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["org.person.created", "org.unit.created"]
    assert "boss" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_administrator_is_accepted_by_commands_and_pages(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(monkeypatch)
    capsys.readouterr()
    # A command that acts as the first administrator and checks permissions.
    source = tmp_path / "customers.csv"
    source.write_text("code,name\nC001,上海福满多超市\n", encoding="utf-8")
    run_salescope(monkeypatch, "import", "customers", str(source), "--json")
    result = json.loads(capsys.readouterr().out)
    assert (result["accepted"], result["rejected"]) == (1, 0)
    assert Customer.objects.unrestricted().get().name == "上海福满多超市"
    # The administrator's pages: adding people and units.
    client = _signed_in("boss")
    assert client.get("/org/people/").status_code == 200
    response = client.post(
        "/org/people/",
        {"username": "zhangwei", "full_name": "张伟", "role": Role.SALESPERSON, "password": ""},
    )
    assert response.status_code == 302
    assert User.objects.unrestricted().filter(username="zhangwei").exists()


@pytest.mark.django_db
def test_init_again_with_the_same_values_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(monkeypatch)
    audit_rows = AuditEntry.objects.count()
    capsys.readouterr()

    _init(monkeypatch)

    assert OrgUnit.objects.unrestricted().count() == 1
    assert User.objects.unrestricted().count() == 1
    assert AuditEntry.objects.count() == audit_rows
    assert "boss" in capsys.readouterr().out


@pytest.mark.django_db
def test_init_refuses_clearly_on_an_installation_already_set_up(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(monkeypatch)
    monkeypatch.setenv("SALESCOPE_ADMIN_PASSWORD", PASSWORD)

    with pytest.raises(SystemExit):
        run_salescope(
            monkeypatch,
            "init",
            "--no-input",
            "--company-name",
            "另一家",
            "--company-code",
            "OTHER",
            "--username",
            "someone",
        )

    error = capsys.readouterr().err
    assert "华远食品有限公司" in error
    assert "boss" in error
    assert list(OrgUnit.objects.unrestricted().values_list("code", flat=True)) == ["HY"]
    assert list(User.objects.unrestricted().values_list("username", flat=True)) == ["boss"]


@pytest.mark.django_db
def test_init_refuses_a_weak_password_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SALESCOPE_ADMIN_PASSWORD", "123")

    with pytest.raises(SystemExit):
        run_salescope(
            monkeypatch,
            "init",
            "--no-input",
            "--skip-migrate",
            "--company-name",
            "华远",
            "--company-code",
            "HY",
            "--username",
            "boss",
        )

    assert "password:" in capsys.readouterr().err
    assert not OrgUnit.objects.unrestricted().exists()
    assert not User.objects.unrestricted().exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_init_without_a_password_and_no_terminal_says_where_to_put_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SALESCOPE_ADMIN_PASSWORD", raising=False)

    with pytest.raises(SystemExit):
        run_salescope(
            monkeypatch,
            "init",
            "--no-input",
            "--skip-migrate",
            "--company-name",
            "华远",
            "--company-code",
            "HY",
            "--username",
            "boss",
        )
    assert "SALESCOPE_ADMIN_PASSWORD" in capsys.readouterr().err
    assert not OrgUnit.objects.unrestricted().exists()


@pytest.mark.django_db
def test_init_asks_for_what_is_missing_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["华远食品有限公司", "HY", "boss", "王总"])
    passwords = iter([PASSWORD, PASSWORD])
    monkeypatch.delenv("SALESCOPE_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", _Terminal())
    monkeypatch.setattr("builtins.input", lambda _prompt="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(passwords))

    run_salescope(monkeypatch, "init", "--skip-migrate")

    admin = User.objects.unrestricted().get()
    assert (admin.username, admin.full_name, admin.unit.code) == ("boss", "王总", "HY")
    assert admin.check_password(PASSWORD)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_createsuperuser_before_init_refuses_and_points_to_init(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    with pytest.raises(SystemExit):
        run_salescope(
            monkeypatch, "createsuperuser", "--no-input", "--username", "root", "--email", ""
        )

    assert "salescope init" in capsys.readouterr().err
    assert not User.objects.unrestricted().exists()


@pytest.mark.django_db
def test_createsuperuser_after_init_makes_an_administrator_of_the_company(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _init(monkeypatch)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    run_salescope(
        monkeypatch, "createsuperuser", "--no-input", "--username", "root", "--email", "r@hy.cn"
    )

    root = User.objects.unrestricted().get(username="root")
    assert (root.role, root.unit.code, root.is_staff) == (Role.ADMINISTRATOR, "HY", True)
    assert Membership.objects.get(person=root).unit.code == "HY"
    assert AuditEntry.objects.filter(action="org.person.created", object_id=str(root.pk)).exists()
    client = _signed_in("root")
    assert client.get("/org/people/").status_code == 200


def _signed_in(username: str) -> Client:
    """Through the real login form, with the password given on the command line."""
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_changepassword_lets_an_imported_person_sign_in(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _init(monkeypatch)
    boss = User.objects.unrestricted().get(username="boss")
    services.create_person(actor=boss, username="zhangwei", full_name="张伟")  # no password
    monkeypatch.setenv("SALESCOPE_PASSWORD", "张伟的 2026 新口令")

    run_salescope(monkeypatch, "changepassword", "zhangwei")

    assert User.objects.unrestricted().get(username="zhangwei").check_password("张伟的 2026 新口令")
    entry = AuditEntry.objects.get(action="org.person.password_changed")
    assert (entry.actor, entry.changes) == (boss, {})
    monkeypatch.setenv("SALESCOPE_PASSWORD", "123")
    with pytest.raises(SystemExit):
        run_salescope(monkeypatch, "changepassword", "zhangwei")
    assert "CommandError" in capsys.readouterr().err
    assert User.objects.unrestricted().get(username="zhangwei").check_password("张伟的 2026 新口令")
    assert AuditEntry.objects.filter(action="org.person.password_changed").count() == 1

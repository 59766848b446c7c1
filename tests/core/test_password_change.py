"""R21: the password change page refuses short, common and all-digit passwords with a message
next to the field, accepts long and Chinese passphrases, and audits the change without the
password."""

import pytest
from django.test import Client

from salescope.core.models import AuditEntry
from salescope.org.demo import DEMO_PASSWORD
from salescope.org.models import User

pytestmark = pytest.mark.django_db

# 64 characters: a sentence, padded with its own length.
PASSPHRASE_64 = "correct horse battery staple, then a long walk by the river #64".ljust(64, ".")


def english_client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert (
        client.post(
            "/accounts/login/", {"username": user.username, "password": DEMO_PASSWORD}
        ).status_code
        == 302
    )
    return client


def change(client: Client, new_password: str):  # noqa: ANN201
    return client.post(
        "/accounts/password/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Xq7!pz", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("8452917365", "This password is entirely numeric."),
        ("zhangwei2026", "The password is too similar to the username."),
    ],
)
def test_weak_password_is_refused_with_a_field_message(personas, password, message):
    user = personas["salesperson"]
    client = english_client(user)
    audit_before = AuditEntry.objects.count()

    response = change(client, password)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<div class="invalid-feedback">{message}</div>' in html
    assert 'id="id_new_password2"' in html
    assert User.objects.unrestricted().get(pk=user.pk).check_password(DEMO_PASSWORD)
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(
    "password",
    [
        PASSPHRASE_64,
        "我们今年一定能够完成华东大区的销售目标",
    ],
    ids=["64-characters", "chinese-passphrase"],
)
def test_long_and_chinese_passphrases_are_accepted_and_audited_without_the_password(
    personas, password
):
    user = personas["salesperson"]
    client = english_client(user)

    response = change(client, password)

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    assert User.objects.unrestricted().get(pk=user.pk).check_password(password)
    entry = AuditEntry.objects.get(action="org.person.password_changed")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        user.pk,
        "org.user",
        str(user.pk),
    )
    assert entry.changes == {}
    assert entry.source == "page"
    assert password not in repr(entry.__dict__)
    # The session survives its own password change.
    assert client.get("/").status_code == 200


def test_the_long_passphrase_is_sixty_four_characters():
    assert len(PASSPHRASE_64) == 64


def test_wrong_old_password_is_refused(personas):
    user = personas["salesperson"]
    client = english_client(user)

    response = client.post(
        "/accounts/password/",
        {
            "old_password": "not-my-password",
            "new_password1": "a perfectly fine passphrase",
            "new_password2": "a perfectly fine passphrase",
        },
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert User.objects.unrestricted().get(pk=user.pk).check_password(DEMO_PASSWORD)


def test_weak_password_messages_are_in_the_users_language(personas):
    user = personas["salesperson"]
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.post("/accounts/login/", {"username": user.username, "password": DEMO_PASSWORD})

    html = change(client, "Xq7!pz").content.decode()

    assert "too short" not in html
    assert "10" in html
    assert "密码" in html.split('class="invalid-feedback">', 1)[1].split("</div>", 1)[0]

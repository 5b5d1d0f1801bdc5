"""`make run` signs the demo team in at once, and a restart (a new local pool) loses no console user."""

from __future__ import annotations

import os

from chalicelib.access.cognito import NewPasswordRequired, SignedIn
from chalicelib.wiring.container import Container
from sapa_cli.local.console_users import DEMO_PASSWORD, DEMO_TEAM, ensure_console_users


def _restart(aws, settings) -> Container:
    """What a restart of the local AWS process leaves: the directory (saved state), a new empty pool."""
    from sapa_cli.bootstrap import bootstrap

    idp = aws.client("cognito-idp")
    for pool in idp.list_user_pools(MaxResults=60)["UserPools"]:
        idp.delete_user_pool(UserPoolId=pool["Id"])
    os.environ.update(bootstrap(settings, aws).staff_pool)
    return Container(aws)


def test_every_demo_user_signs_in_with_the_documented_password_and_has_their_role(aws) -> None:
    access = Container(aws).access
    lines: list[str] = []

    ensure_console_users(access.directory(), demo=True, log=lines.append)

    for user in DEMO_TEAM:
        signed_in = access.cognito().sign_in(user.email, DEMO_PASSWORD)
        assert isinstance(signed_in, SignedIn)
        assert signed_in.groups == (user.role,)
    assert {"admin", "marketer", "agent", "telemarketer", "viewer"} == {u.role for u in DEMO_TEAM}
    assert DEMO_PASSWORD in lines[-1]


def test_after_a_restart_the_demo_team_and_the_users_added_by_hand_are_back(aws, settings) -> None:
    access = Container(aws).access
    ensure_console_users(access.directory(), demo=True, log=lambda _: None)
    access.directory().add_user("dewi", "dewi@sapa.example", "marketer", "Rahasia-Sapa-2026!")
    access.directory().set_role("sari", "viewer")

    restarted = _restart(aws, settings).access
    lines: list[str] = []
    ensure_console_users(restarted.directory(), demo=True, log=lines.append)

    assert isinstance(restarted.cognito().sign_in("admin@sapa.example", DEMO_PASSWORD), SignedIn)
    assert restarted.cognito().groups("sari") == ["viewer"]  # the role the directory kept, not the demo default
    temporary = next(line for line in lines if "dewi" in line).rsplit(" ", 1)[1]
    assert isinstance(restarted.cognito().sign_in("dewi@sapa.example", temporary), NewPasswordRequired)


def test_without_demo_data_no_demo_user_is_made(aws) -> None:
    access = Container(aws).access

    ensure_console_users(access.directory(), demo=False, log=lambda _: None)

    assert access.directory().list() == []

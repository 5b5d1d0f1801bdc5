"""`sapa` commands find the running local stack, fail in one readable line, and show an import's progress."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from click.testing import CliRunner, Result

from sapa_cli.cli import describe, main
from sapa_cli.local.endpoints import LocalPorts, StackInfo, local_environment, write_stack_info
from sapa_cli.progress import ImportProgress
from tests.cli.conftest import LocalAws

ROOT = Path(__file__).resolve().parents[2]
HEADER = "external_id,name,phone,email,birth_date,province\n"


@pytest.fixture
def no_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """As on a developer's machine: no AWS_ENDPOINT_URL, a state directory of our own.

    The commands set the local stack's variables in this process; monkeypatch puts every one back.
    """
    for key in local_environment(LocalPorts(0, 0, 0), base={}):
        if key in os.environ:
            monkeypatch.setenv(key, os.environ[key])
        else:
            monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("SAPA_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def running_stack(local_aws: LocalAws, no_endpoint: Path) -> LocalAws:
    """What `sapa local` leaves for the other commands: `.sapa/stack.json` naming its endpoint."""
    port = int(local_aws.endpoint.rsplit(":", 1)[1])
    write_stack_info(no_endpoint, StackInfo(pid=os.getpid(), ports=LocalPorts(aws=port, api=1, whatsapp=2)))
    return local_aws


def _sapa(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sapa: ")
    return lines[0]


def _csv(tmp_path: Path, rows: list[str], name: str = "customers.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_staff_commands_find_the_running_local_stack_by_themselves(running_stack: LocalAws) -> None:
    added = _sapa("staff", "add", "--name", "rina-cli", "--role", "marketer")
    listed = _sapa("staff", "list")

    assert added.exit_code == 0, added.output
    assert added.stdout.strip().splitlines()[-1].startswith("sapa_")
    assert "rina-cli\tmarketer" in listed.stdout
    assert os.environ["AWS_ENDPOINT_URL"] == running_stack.endpoint


def test_a_console_user_added_by_the_cli_signs_in_and_the_api_verifies_their_token_over_http(
    running_stack: LocalAws,
) -> None:
    from chalicelib.access.authorizer import resolve_token
    from chalicelib.access.cognito import NewPasswordRequired
    from chalicelib.wiring.container import Container

    added = _sapa("staff", "add", "--name", "dewi-cli", "--role", "agent", "--email", "dewi.cli@sapa.example")
    temporary = added.stdout.strip().splitlines()[-1]
    access = Container(running_stack.aws).access
    first = access.cognito().sign_in("dewi.cli@sapa.example", temporary)
    assert isinstance(first, NewPasswordRequired)
    signed_in = access.cognito().complete_new_password("dewi-cli", first.session, "Baru-Sekali-2026!")
    listed = _sapa("staff", "list")

    staff = resolve_token(f"Bearer {signed_in.access_token}", access.staff(), None, lambda: access.token_verifier)

    assert added.exit_code == 0, added.output
    assert "dewi-cli\tagent\tconsole\tdewi.cli@sapa.example" in listed.stdout
    assert staff is not None
    assert (staff.name, staff.role) == ("dewi-cli", "agent")


def test_set_role_and_revoke_work_on_console_users_too(running_stack: LocalAws) -> None:
    from chalicelib.access.cognito import WrongCredentials
    from chalicelib.wiring.container import Container

    _sapa(
        "staff",
        "add",
        "--name",
        "sari-cli",
        "--role",
        "agent",
        "--email",
        "sari.cli@sapa.example",
        "--password",
        "Rahasia-Sapa-2026!",
    )
    access = Container(running_stack.aws).access

    moved = _sapa("staff", "set-role", "sari-cli", "viewer")
    groups = access.cognito().groups("sari-cli")
    revoked = _sapa("staff", "revoke", "sari-cli")

    assert moved.exit_code == 0
    assert groups == ["viewer"]
    assert revoked.exit_code == 0
    assert "sari-cli" not in _sapa("staff", "list").stdout
    with pytest.raises(WrongCredentials):
        access.cognito().sign_in("sari.cli@sapa.example", "Rahasia-Sapa-2026!")


@pytest.mark.parametrize(
    "args",
    [
        ("staff", "list"),
        ("staff", "add", "--name", "x", "--role", "viewer"),
        ("staff", "revoke", "x"),
        ("bootstrap",),
        ("seed", "--customers", "1"),
    ],
)
def test_without_a_running_stack_a_command_says_so_in_one_line(no_endpoint: Path, args: tuple[str, ...]) -> None:
    line = _one_line_error(_sapa(*args))

    assert "no local Sapa stack is running: start one with `make run`" in line


def test_import_without_a_running_stack_says_so_in_one_line(no_endpoint: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, ["IMP-1,Budi Santoso,081234567890,,,DKI Jakarta"])

    assert "no local Sapa stack is running" in _one_line_error(_sapa("import", str(path)))


def test_a_real_process_prints_no_traceback_when_no_stack_runs(no_endpoint: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sapa_cli.cli", "staff", "list"],
        cwd=ROOT,
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("sapa: no local Sapa stack is running")
    assert len(result.stderr.splitlines()) == 1


def test_an_aws_error_is_one_line_naming_the_call(
    local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch, no_endpoint: Path
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", local_aws.endpoint)
    monkeypatch.setenv("SAPA_STAGE", "nowhere")  # a stage that was never bootstrapped

    line = _one_line_error(_sapa("staff", "list"))

    assert "AWS refused" in line
    assert "ResourceNotFoundException" in line
    assert "sapa bootstrap" in line


def test_a_file_that_is_not_utf8_is_one_line(running_stack: LocalAws, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "IMP-9,José Ñandú,081234567890,,,Bali\n".encode("latin-1"))

    line = _one_line_error(_sapa("import", str(path)))

    assert "is not UTF-8 text" in line


def test_a_file_without_a_header_is_one_line(running_stack: LocalAws, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")

    assert "is empty" in _one_line_error(_sapa("import", str(path)))


def test_a_missing_file_is_one_line_from_click(no_endpoint: Path, tmp_path: Path) -> None:
    result = _sapa("import", str(tmp_path / "nope.csv"))

    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_import_prints_progress_on_stderr_and_the_report_on_stdout(running_stack: LocalAws, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        [
            "IMP-1,Budi Santoso,081234567890,budi@contoh.co.id,1980-02-03,DKI Jakarta",
            "IMP-2,Siti Rahma,not-a-phone,,,Bali",
            "IMP-3,Agus Salim,081298765432,,,Papua",
        ],
    )

    result = _sapa("import", str(path), "--progress-every", "0")

    assert result.exit_code == 0, result.output
    progress = [re.sub(r"[\d,]+ rows/s", "N rows/s", line) for line in result.stderr.strip().splitlines()]
    assert progress[:3] == [
        "sapa import: 1 rows, N rows/s, 0 rejected so far",
        "sapa import: 2 rows, N rows/s, 1 rejected so far",
        "sapa import: 3 rows, N rows/s, 1 rejected so far",
    ]
    assert progress[-1].startswith("sapa import: done, 3 rows in ")
    assert progress[-1].endswith("1 rejected")
    assert '"created": 2' in result.stdout
    assert '"row": 3' in result.stdout
    assert "081234567890" not in result.stderr


def test_progress_is_printed_every_few_seconds_not_every_row() -> None:
    now = [0.0]
    stream = io.StringIO()
    progress = ImportProgress(stream, every=2.0, clock=lambda: now[0])
    rows = [(n + 2, {"external_id": f"P-{n}", "name": "Budi", "phone": "081234567890"}, None) for n in range(10)]

    for n, _ in enumerate(progress.track(rows)):
        now[0] = 0.5 * (n + 1)
    progress.finish()

    assert stream.getvalue().splitlines() == [
        "sapa import: 4 rows, 2 rows/s, 0 rejected so far",
        "sapa import: 8 rows, 2 rows/s, 0 rejected so far",
        "sapa import: done, 10 rows in 5 s (2 rows/s), 0 rejected",
    ]


def test_a_short_import_prints_no_progress_at_all() -> None:
    stream = io.StringIO()
    progress = ImportProgress(stream, every=60.0)

    list(progress.track([(2, None, {"phone": "is not a phone number"})]))
    progress.finish()

    assert stream.getvalue() == ""
    assert progress.rejected == 1


def test_rows_the_progress_found_invalid_reach_the_import_already_rejected() -> None:
    progress = ImportProgress(io.StringIO(), every=60.0)

    [(row, data, errors)] = list(progress.track([(7, {"external_id": "P-1", "name": "Budi", "phone": "12"}, None)]))

    assert (row, data) == (7, None)
    assert errors is not None
    assert "phone" in errors


def test_errors_are_described_in_words() -> None:
    refused = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "Scan")
    unreachable = EndpointConnectionError(endpoint_url="http://127.0.0.1:4566/")

    assert describe(refused) == "AWS refused Scan: AccessDenied: no"
    assert describe(unreachable) == (
        "cannot reach the AWS endpoint http://127.0.0.1:4566/: is the local stack still running?"
    )
    assert describe(PermissionError(13, "Permission denied", "/data/x.csv")) == "/data/x.csv: Permission denied"
    assert describe(KeyError("x")).startswith("unexpected KeyError")

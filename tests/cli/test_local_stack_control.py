"""How `sapa local` handles its children's output and stop signals, without starting a stack."""

from __future__ import annotations

import io
import os
import signal
import time

import pytest

from sapa_cli.local.stack import AlreadyRunning, Stopping, StopSignals, pump_masked, single_instance


def _signal_self(signum: int) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(0.5)  # the handler runs in this thread at the next bytecode: long before this ends


def test_childrens_access_lines_reach_the_terminal_with_phone_numbers_and_emails_masked() -> None:
    child = io.BytesIO(
        b'127.0.0.1 - - [01/Dec/2026 22:46:40] "GET /customers?phone=081234567890&limit=5 HTTP/1.1" 200 -\n'
        b'127.0.0.1 - - [01/Dec/2026 22:46:41] "GET /customers?email=budi%40contoh.co.id HTTP/1.1" 200 -\n'
        b"Serving on http://127.0.0.1:8000\n"
    )
    terminal = io.StringIO()

    pump_masked(child, terminal).join(timeout=5)

    assert terminal.getvalue().splitlines() == [
        '127.0.0.1 - - [01/Dec/2026 22:46:40] "GET /customers?phone=***&limit=5 HTTP/1.1" 200 -',
        '127.0.0.1 - - [01/Dec/2026 22:46:41] "GET /customers?email=*** HTTP/1.1" 200 -',
        "Serving on http://127.0.0.1:8000",
    ]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_each_stop_signal_unwinds_the_stack_with_stopping(signum: int) -> None:
    with StopSignals(), pytest.raises(Stopping, match=signal.Signals(signum).name):
        _signal_self(signum)


def test_a_signal_while_a_child_starts_takes_effect_once_its_pid_is_known() -> None:
    started: list[str] = []

    def start_child(signals: StopSignals) -> None:
        with signals.held():
            _signal_self(signal.SIGTERM)
            started.append("child")  # the child is registered: it will be stopped with the others

    with StopSignals() as signals, pytest.raises(Stopping, match="SIGTERM"):
        start_child(signals)

    assert started == ["child"]


def test_the_previous_handlers_come_back_afterwards() -> None:
    before = signal.getsignal(signal.SIGTERM)

    with StopSignals():
        assert signal.getsignal(signal.SIGTERM) is not before

    assert signal.getsignal(signal.SIGTERM) is before


def test_a_second_stack_on_the_same_state_directory_is_refused(tmp_path) -> None:
    (tmp_path / "local.pid").write_text(str(os.getppid()))  # a live process that is not us

    with pytest.raises(AlreadyRunning, match="already running"), single_instance(tmp_path):
        pass


def test_a_pid_file_left_by_a_dead_stack_is_taken_over(tmp_path) -> None:
    (tmp_path / "local.pid").write_text("999999999")

    with single_instance(tmp_path):
        assert (tmp_path / "local.pid").read_text() == str(os.getpid())
    assert not (tmp_path / "local.pid").exists()

"""`sapa local`: the whole of Sapa on one machine, over real HTTP.

Starts the local AWS endpoint (moto server), creates the resources, restores
the state saved by the last run (or seeds demo data on a first run), starts
the WhatsApp sandbox, serves the API with chalice's local server (answering
unknown routes as the deployed API Gateway does: `sapa_cli.local.api_server`) and the website
chat's WebSocket API (`sapa_cli.local.ws_gateway`), and runs the event runner in this process.

Every child runs in its own session, so a Ctrl-C in the terminal or a
`kill -TERM` to our process group reaches only this process, which then stops
them in order: the runner and the API first, then a last save of the state
while the AWS endpoint still answers, then the endpoint. SIGINT, SIGTERM and
SIGHUP all take that path. Children's output passes through here line by line
with phone numbers and e-mails masked (chalice local's access lines print
query strings such as `?phone=0812…`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO, cast

from chalicelib.core.observability import mask_text
from chalicelib.core.runtime import Clock, shifted_clock, system_clock
from chalicelib.core.settings import Settings
from chalicelib.core.zones import WIB, local_date, tzinfo_for
from sapa_cli.local.endpoints import (
    PID_FILE,
    ROOT,
    LocalPorts,
    StackInfo,
    local_environment,
    pid_alive,
    port_answers,
    remove_stack_info,
    state_dir,
    write_stack_info,
)

if TYPE_CHECKING:  # pragma: no cover - typing only; these load after the endpoint is up
    from sapa_cli.local.runner import LocalRunner
    from sapa_cli.local.state import LocalState, PeriodicSave

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
DEFAULT_SAVE_SECONDS = 30.0


class AlreadyRunning(RuntimeError):
    pass


class Stopping(BaseException):
    """A stop signal arrived. A BaseException, so no `except Exception` on the way swallows it."""


def wait_for_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except Exception as error:  # noqa: BLE001 - keep waiting until the deadline
            last = error
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s ({last})")


@contextlib.contextmanager
def single_instance(directory: Path) -> Iterator[None]:
    """A second `make run` says so instead of failing on a taken port."""
    directory.mkdir(parents=True, exist_ok=True)
    pid_file = directory / PID_FILE
    if pid_file.exists():
        try:
            pid = int(pid_file.read_text().strip())
        except ValueError:
            pid = 0
        if pid and pid != os.getpid() and pid_alive(pid):
            raise AlreadyRunning(f"Sapa is already running locally (pid {pid}); stop it with Ctrl-C first")
        pid_file.unlink(missing_ok=True)
    pid_file.write_text(str(os.getpid()))
    try:
        yield
    finally:
        pid_file.unlink(missing_ok=True)


class StopSignals:
    """SIGINT, SIGTERM and SIGHUP raise Stopping in the main thread, wherever it is, except inside `held()`.

    Held while a child starts, so a signal cannot land between the fork and the
    moment we know the child's pid (it would run on unstopped); it takes effect
    right after. (Blocking the signals with `pthread_sigmask` instead would be
    inherited: the children could never be stopped.)
    """

    def __init__(self) -> None:
        self._holding = False
        self._pending: str | None = None
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        if self._holding:
            self._pending = name
            return
        raise Stopping(name)

    def __enter__(self) -> StopSignals:
        self._previous = {sig: signal.signal(sig, self._handle) for sig in STOP_SIGNALS}
        return self

    def __exit__(self, *_exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
            if self._pending is not None:
                raise Stopping(self._pending)


@contextlib.contextmanager
def signals_ignored() -> Iterator[None]:
    """While stopping: a second Ctrl-C must not cut the last save short."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def pump_masked(source: IO[bytes], sink: TextIO) -> threading.Thread:
    """Copy a child's output line by line with personal data masked (chalice's access lines, tracebacks)."""

    def copy() -> None:
        with source:
            for raw in iter(source.readline, b""):
                with contextlib.suppress(ValueError, OSError):  # our own stream closed at exit
                    sink.write(mask_text(raw.decode("utf-8", errors="replace")))
                    sink.flush()

    thread = threading.Thread(target=copy, name="pump", daemon=True)
    thread.start()
    return thread


class Child:
    """One child process in its own session, its output pumped through the mask."""

    def __init__(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.process = subprocess.Popen(
            args,
            env={**env, "PYTHONUNBUFFERED": "1"},
            cwd=ROOT,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = cast(IO[bytes], self.process.stdout), cast(IO[bytes], self.process.stderr)
        self.pumps = [pump_masked(out, sys.stdout), pump_masked(err, sys.stderr)]

    def running(self) -> bool:
        return self.process.poll() is None


def stop_children(children: list[Child], timeout: float = 10) -> None:
    """SIGTERM to each child's whole process group (chalice local's reloader has a worker), then SIGKILL."""
    for child in children:
        if child.running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGTERM)
    for child in children:
        try:
            child.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait(timeout=timeout)
    for child in children:
        for pump in child.pumps:
            pump.join(timeout=2)


def log(line: str) -> None:
    print(mask_text(line), flush=True)


class LocalStack:
    """The children, the runner and the saved state of one `sapa local`."""

    def __init__(self, ports: LocalPorts, env: dict[str, str], directory: Path, signals: StopSignals) -> None:
        self.ports = ports
        self.signals = signals
        self.env = env
        self.directory = directory
        self.aws_server: Child | None = None
        self.services: list[Child] = []  # the sandbox, the API and the gateway: stopped before the last save
        self.runner: LocalRunner | None = None
        self.state: LocalState | None = None
        self.saver: PeriodicSave | None = None
        self.state_loaded = False  # never overwrite a snapshot with a stack that did not restore it
        # Every process of the stack runs on this clock: the real one, or the one `sapa local --at` shifted.
        self.clock = shifted_clock(Settings.from_env(env).options.clock_offset_seconds)

    @property
    def children(self) -> list[Child]:
        return [*self.services, *([self.aws_server] if self.aws_server else [])]

    def _service(self, name: str, args: list[str]) -> None:
        with self.signals.held():
            self.services.append(Child(name, args, self.env))

    def start(self, seed: bool, customers: int, fresh: bool) -> None:
        py = sys.executable
        if self.clock is not system_clock:
            moment = self.clock().astimezone(tzinfo_for(WIB)).strftime("%a %d %b %Y %H:%M WIB")
            log(f"[sapa] the stack's clock is shifted to {moment} (sapa local --at)")
        with self.signals.held():
            self.aws_server = Child(
                "local AWS", [py, "-m", "sapa_cli.local.aws_server", "--port", str(self.ports.aws)], self.env
            )
        wait_for_http(f"http://127.0.0.1:{self.ports.aws}/moto-api/", 30)

        from chalicelib.core.aws import AwsClients
        from sapa_cli.bootstrap import bootstrap
        from sapa_cli.local.state import LocalState, PeriodicSave

        settings = Settings.from_env(self.env)
        aws = AwsClients()
        pool = bootstrap(settings, aws).staff_pool
        self.env.update(pool)  # the API and the workers find the staff's user pool by id, as deployed
        os.environ.update(pool)
        settings = Settings.from_env(self.env)
        log(f"[sapa] resources ready on http://127.0.0.1:{self.ports.aws}")
        self.state = state = LocalState(self.directory / "state", settings, aws)
        if fresh:
            state.clear()
            log("[sapa] --fresh: the saved local state is deleted")
        restored = state.restore()
        self.state_loaded = True
        seeded = restored is None and seed
        if restored is not None:
            log(f"[sapa] restored {restored.describe()} from {state.path}")
        elif seed:
            from sapa_cli.seed import seed_demo

            today = local_date(self.clock(), WIB)
            log(f"[sapa] {seed_demo(settings, aws, customers, today=today, clock=self.clock)}")
        from chalicelib.wiring.container import Container
        from sapa_cli.local.console_users import ensure_console_users

        ensure_console_users(Container(aws, clock=self.clock).access.directory(), demo=seed, log=log)
        every = float(self.env.get("SAPA_STATE_SAVE_SECONDS") or DEFAULT_SAVE_SECONDS)
        self.saver = PeriodicSave(state, every, log=log)
        self.saver.start()

        webhook = f"http://127.0.0.1:{self.ports.api}/webhooks/meta"  # Meta's status webhooks come back here
        sandbox = [py, "-m", "sapa_cli.local.whatsapp_sandbox", "--port", str(self.ports.whatsapp), "--quiet"]
        sandbox += ["--webhook-url", webhook]
        self._service("WhatsApp sandbox", sandbox)
        api = [py, "-m", "sapa_cli.local.api_server", "--host", "127.0.0.1", "--port", str(self.ports.api)]
        self._service("API", api)
        gateway = [py, "-m", "sapa_cli.local.ws_gateway", "--port", str(self.ports.ws)]
        gateway += ["--admin-port", str(self.ports.ws_admin)]
        self._service("WebSocket gateway", gateway)

        if str(ROOT) not in sys.path:  # the `sapa` console script runs from .venv/bin
            sys.path.insert(0, str(ROOT))
        import app as sapa_app
        from sapa_cli.local.runner import LocalRunner

        self.runner = LocalRunner(
            sapa_app.app,
            settings,
            aws,
            log=log,
            email_events=ses_events(settings, aws, self.env, self.clock),
            clock=self.clock,
        )
        self.runner.start()
        wait_for_http(f"http://127.0.0.1:{self.ports.api}/health", 60)
        wait_for_http(f"http://127.0.0.1:{self.ports.ws_admin}/", 60)  # answers once the socket port listens
        write_stack_info(self.directory, StackInfo(os.getpid(), self.ports))
        log(f"[sapa] website chat socket on ws://127.0.0.1:{self.ports.ws}")
        log(f"[sapa] API on http://127.0.0.1:{self.ports.api} — Ctrl-C stops everything")
        if seeded and self.env.get("SAPA_DEMO_ACTIVITY", "1") != "0":
            from sapa_cli.local.demo_activity import Api, play_in_background

            api = Api(
                f"http://127.0.0.1:{self.ports.api}",
                settings.secret("SAPA_ADMIN_TOKEN"),
                settings.secret("META_APP_SECRET"),
            )
            play_in_background(api, settings.whatsapp_phone_number_id, log, self.clock)

    def wait(self) -> Child:
        """Until a child exits; returns it."""
        while True:
            for child in self.children:
                if not child.running():
                    return child
            time.sleep(0.5)

    def stop(self) -> None:
        """Runner and API first, then the last save while the AWS endpoint answers, then the endpoint."""
        remove_stack_info(self.directory, os.getpid())
        if self.runner is not None:
            self.runner.stop()
        if self.saver is not None:
            self.saver.stop()
        stop_children(self.services)
        if self.state_loaded and self.state and self.aws_server is not None and self.aws_server.running():
            try:
                counts = self.state.save(queues=True)
                log(f"[sapa] saved {counts.describe()} to {self.state.path}")
            except Exception as error:  # noqa: BLE001 - stopping goes on; the periodic snapshot is still there
                log(f"[sapa] could not save the local state: {type(error).__name__}: {error}")
        if self.aws_server is not None:
            stop_children([self.aws_server])
        log("[sapa] stopped")


def ses_events(settings: Any, aws: Any, env: dict[str, str], clock: Clock) -> Any:
    """What SES does after accepting a message, published to the e-mail events topic as SES would."""
    from chalicelib.core import resources
    from chalicelib.outbound.local_mail import http_outbox
    from sapa_cli.local.ses_events import EventRates, SesEventSimulator, sns_publisher

    rates = EventRates.from_env(env)
    topic = resources.topic_name(settings.stage, resources.EMAIL_EVENTS_TOPIC)
    sns = aws.client("sns")
    arn = sns.create_topic(Name=topic)["TopicArn"]  # idempotent: the bootstrap's topic
    shares = f"bounce {rates.bounce:.0%}, complaint {rates.complaint:.0%}, after {rates.delay_seconds:g} s"
    log(f"[sapa] SES events: {shares}")
    return SesEventSimulator(
        http_outbox(env["AWS_ENDPOINT_URL"]),
        sns_publisher(sns, arn),
        rates,
        resources.configuration_set_name(settings.stage),
        log=log,
        clock=clock,
    )


def run(seed: bool, customers: int, fresh: bool = False) -> int:
    """Run until a stop signal (exit status 0) or until a child dies (1)."""
    ports = LocalPorts.from_env()
    directory = state_dir()
    with single_instance(directory):
        for label, port in (
            ("local AWS", ports.aws),
            ("API", ports.api),
            ("WhatsApp sandbox", ports.whatsapp),
            ("WebSocket gateway", ports.ws),
            ("WebSocket gateway's management API", ports.ws_admin),
        ):
            if port_answers(port):
                raise AlreadyRunning(
                    f"port {port} for the {label} is taken; set another with the SAPA_* port variables"
                )
        env = local_environment(ports)
        os.environ.update(env)
        status = 0
        with StopSignals() as signals:
            stack = LocalStack(ports, env, directory, signals)
            try:
                stack.start(seed, customers, fresh)
                exited = stack.wait()
                log(f"[sapa] the {exited.name} exited (status {exited.process.returncode}); stopping")
                status = 1
            except Stopping as stop:
                log(f"\n[sapa] {stop} received; stopping")
            finally:
                with signals_ignored():
                    stack.stop()
        return status

"""One console request: who is signed in, in which language and zone, and how a page answers.

`page(...)` wraps every console handler: it finds the session from its cookie
(or sends the browser to sign in), checks the role's permission, refuses a
state change without the session's CSRF token or from another site, and adds
the security headers to whatever the handler answers. Handlers receive a
`Visit` and return `visit.render(...)` or `visit.redirect(...)`.
"""

from __future__ import annotations

import functools
import hashlib
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import jinja2
from chalice.app import Request, Response
from jinja2.ext import i18n as i18n_extension  # noqa: F401 - the extension jinja2 loads by name
from pydantic import BaseModel, ValidationError

from chalicelib.access.roles import Permission, allows
from chalicelib.console import i18n, security
from chalicelib.core import zones
from chalicelib.core.composition import wired
from chalicelib.core.rendering import TEMPLATES_DIR

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.access.sessions import Session
    from chalicelib.outbound.halt import HaltState
    from chalicelib.wiring.container import Container

M = TypeVar("M", bound=BaseModel)

SESSION_COOKIE = "sapa_session"
LANGUAGE_COOKIE = "sapa_lang"
ZONE_COOKIE = "sapa_zone"
MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 200
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""A multipart form (a file upload) may be this large: API Gateway's own limit."""
STATIC_DIR = TEMPLATES_DIR / "console" / "static"
ZONE_BY_LABEL = {label: zone for zone, label in zones.ZONE_LABELS.items()}


class FormInvalid(ValueError):
    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@functools.lru_cache(maxsize=32)
def asset_version(name: str) -> str:
    """A content hash in every asset URL, so assets can be cached for a year and still change on deploy."""
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def asset(name: str) -> str:
    return f"/console/static/{name}?v={asset_version(name)}"


def when(value: Any, zone: str, with_zone: bool = True) -> str:
    """An ISO instant in the viewer's zone, as Indonesians write it: 02/12/2026 10.15 WIB."""
    if not value:
        return "—"
    try:
        instant = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    local = zones.local_time(instant, zone)
    text = local.strftime("%d/%m/%Y %H.%M")
    return f"{text} {zones.ZONE_LABELS[zone]}" if with_zone else text


def waited(value: Any, now: datetime) -> str:
    """How long ago, short: 45 s, 12 m, 3 h 5 m, 2 d 4 h."""
    if not value:
        return "—"
    try:
        then = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return "—"
    seconds = max(int((now - then).total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} m"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


@functools.lru_cache(maxsize=len(i18n.LANGUAGES))
def environment(language: str) -> jinja2.Environment:
    """One jinja2 environment per language: autoescaped always, undefined variables are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR / "console")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext(language), i18n.ngettext(language), newstyle=True
    )
    env.globals["asset"] = asset
    env.globals["language"] = language
    return env


@dataclass
class Visit:
    """The request being answered, the person behind it and their preferences."""

    request: Request
    container: Container
    session: Session | None
    language: str
    zone: str
    extra_headers: dict[str, Any] = field(default_factory=dict)
    _form: dict[str, str] | None = None
    _files: dict[str, tuple[str, bytes]] | None = None
    _outbound: HaltState | None = None

    @property
    def local(self) -> bool:
        return self.container.settings.is_local

    @property
    def now(self) -> datetime:
        return self.container.now()

    @property
    def headers(self) -> Mapping[str, str]:
        return {k.lower(): v for k, v in (self.request.headers or {}).items()}

    @property
    def is_htmx(self) -> bool:
        return self.headers.get("hx-request") == "true"

    @property
    def query(self) -> dict[str, str]:
        return dict(self.request.query_params or {})

    @property
    def outbound(self) -> HaltState:
        """Whether outbound is halted, for every page's header: one GetItem per request, read when first shown."""
        if self._outbound is None:
            self._outbound = self.container.outbound.switch().state()
        return self._outbound

    def cookie(self, base: str) -> str | None:
        return security.cookies(self.headers).get(security.cookie_name(base, self.local))

    # -- reading forms -------------------------------------------------------------------------------------------
    def form(self) -> dict[str, str]:
        """The urlencoded body, bounded: the last value of each field (a multipart form's text fields too)."""
        if self._form is None and self.headers.get("content-type", "").startswith("multipart/form-data"):
            self._form, self._files = _multipart(self.request.raw_body or b"", self.headers["content-type"])
        if self._form is None:
            raw = self.request.raw_body or b""
            if len(raw) > MAX_FORM_BYTES:
                raise FormInvalid({"form": f"larger than {MAX_FORM_BYTES // 1024} KB"})
            try:
                pairs = urllib.parse.parse_qsl(
                    raw.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, strict_parsing=False
                )
            except (UnicodeDecodeError, ValueError) as error:
                raise FormInvalid({"form": f"not a valid form: {error}"}) from None
            self._form = dict(pairs)
        return self._form

    def files(self) -> dict[str, tuple[str, bytes]]:
        """A multipart form's files: field name -> (file name, bytes)."""
        self.form()
        return dict(self._files or {})

    def parse(self, model: type[M]) -> M:
        """The form as a pydantic model, or FormInvalid naming each field's problem."""
        data = {k: v for k, v in self.form().items() if k != "csrf"}
        try:
            return model.model_validate(data)
        except ValidationError as error:
            problems = {".".join(str(p) for p in e["loc"]) or "form": str(e["msg"]) for e in error.errors()}
            raise FormInvalid(problems) from None

    # -- answering -----------------------------------------------------------------------------------------------
    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        env = environment(self.language)
        context.setdefault("section", "")
        body = env.get_template(template).render(
            visit=self,
            session=self.session,
            zone=self.zone,
            zone_label=zones.ZONE_LABELS[self.zone],
            zones=zones.ZONE_LABELS,
            when=lambda value, with_zone=True: when(value, self.zone, with_zone),
            waited=lambda value: waited(value, self.now),
            can=lambda permission: self.session is not None and allows(self.session.role, Permission(permission)),
            **context,
        )
        return self.respond(body, status, {"Content-Type": "text/html; charset=utf-8"})

    def respond(self, body: str | bytes, status: int, headers: Mapping[str, Any]) -> Response:
        merged: dict[str, Any] = {**security.security_headers(self.local), **security.PAGE_CACHE, **headers}
        merged.update(self.extra_headers)
        return Response(body=body, status_code=status, headers=merged)

    def redirect(self, location: str) -> Response:
        if self.is_htmx:  # htmx follows a redirect inside the swap; HX-Redirect moves the whole page
            return self.respond("", 200, {"HX-Redirect": location})
        return self.respond("", 303, {"Location": location})

    def set_cookie(self, base: str, value: str, max_age: int) -> None:
        cookie = security.set_cookie(security.cookie_name(base, self.local), value, max_age, self.local)
        existing = self.extra_headers.get("Set-Cookie")
        values = existing if isinstance(existing, list) else ([existing] if existing else [])
        self.extra_headers["Set-Cookie"] = [*values, cookie]

    def refuse(self, status: int, title: str, message: str) -> Response:
        return self.render("error.html", status=status, title=title, message=message)


def _multipart(raw: bytes, content_type: str) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """A multipart/form-data body, parsed by the standard library's e-mail parser, bounded in size."""
    import email.parser
    import email.policy

    if len(raw) > MAX_UPLOAD_BYTES:
        raise FormInvalid({"form": f"larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"})
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    if not message.is_multipart():
        raise FormInvalid({"form": "not a multipart form"})
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for index, part in enumerate(message.iter_parts()):
        if index >= MAX_FORM_FIELDS:
            raise FormInvalid({"form": "too many fields"})
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (str(filename), bytes(payload))
        else:
            fields[name] = bytes(payload).decode("utf-8", errors="replace")
    return fields, files


def _language(query: Mapping[str, str], cookie: str | None) -> str:
    for choice in (query.get("lang"), cookie):
        if choice in i18n.LANGUAGES:
            return str(choice)
    return i18n.DEFAULT_LANGUAGE


def _zone(cookie: str | None) -> str:
    return ZONE_BY_LABEL.get(cookie or "", zones.DEFAULT_ZONE)


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a console path only (never another site, never `//host`)."""
    if value and (value == "/console" or value.startswith("/console/")) and "\\" not in value:
        return value
    return "/console"


def start(blueprint: Any) -> Visit:
    container = wired(blueprint)
    request = blueprint.current_request
    visit = Visit(request, container, None, i18n.DEFAULT_LANGUAGE, zones.DEFAULT_ZONE)
    visit.language = _language(visit.query, visit.cookie(LANGUAGE_COOKIE))
    visit.zone = _zone(visit.cookie(ZONE_COOKIE))
    visit.session = container.access.sessions().get(visit.cookie(SESSION_COOKIE), container.now())
    return visit


Handler = Callable[..., Response]


def page(permission: Permission | None = None, *, signed_in: bool = True) -> Callable[[Handler], Any]:
    """A console handler: signed in (unless `signed_in=False`), allowed, CSRF-checked, with security headers.

    The wrapped handler is called as `handler(blueprint, **path_params)` from the route in `console.routes`.
    """

    def wrap(handler: Handler) -> Any:
        @functools.wraps(handler)
        def run(blueprint: Any, **params: Any) -> Response:
            visit = start(blueprint)
            translate = i18n.gettext(visit.language)
            method = visit.request.method.upper()
            if signed_in and visit.session is None:
                path = visit.request.path if method in security.SAFE_METHODS else "/console"
                return visit.redirect("/console/login?" + urllib.parse.urlencode({"next": path}))
            if permission is not None and (visit.session is None or not allows(visit.session.role, permission)):
                role = visit.session.role if visit.session else "-"
                return visit.refuse(
                    403,
                    translate("Not allowed"),
                    translate("Your role (%(role)s) may not open this page.") % {"role": role},
                )
            if method not in security.SAFE_METHODS:
                try:
                    given = visit.headers.get("x-csrf-token") or visit.form().get("csrf")
                except FormInvalid:
                    given = None
                expected = visit.session.csrf if visit.session else visit.cookie(LOGIN_CSRF_COOKIE) or ""
                host = visit.headers.get("host")
                if not security.same_origin(visit.headers, host) or not security.token_matches(expected, given):
                    return visit.refuse(
                        403,
                        translate("The request was refused"),
                        translate("The form is out of date or came from another site. Reload the page and try again."),
                    )
            try:
                return handler(visit, **params)
            except Exception:  # noqa: BLE001 - a page never shows a stack trace or JSON: it says sorry, in HTML
                from chalicelib.core.observability import logger

                logger.exception("console page failed", extra={"path": visit.request.path})
                return visit.refuse(
                    500,
                    translate("Something went wrong"),
                    translate("Sapa could not show this page. Try again; if it keeps failing, tell an administrator."),
                )

        return run

    return wrap


LOGIN_CSRF_COOKIE = "sapa_login_csrf"
"""Before a session exists, the sign-in form's CSRF token is a double-submit cookie."""

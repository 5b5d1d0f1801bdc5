"""Signing in and out of the console: e-mail and password against Cognito, then a server-side session.

Wrong credentials get one answer whichever part was wrong. Five failures in a
row for an e-mail slow the next attempts (`access.throttle`). A first sign-in
answers Cognito's NEW_PASSWORD_REQUIRED challenge on its own page; the
challenge's session string stays server-side, the browser holds only a
random id for it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from chalice.app import Response
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.access.cognito import NewPasswordRequired, PasswordRejected, SignedIn, WrongCredentials
from chalicelib.access.roles import MATRIX, Role
from chalicelib.access.sessions import CHALLENGE_LIFETIME, Challenge
from chalicelib.access.tokens import COGNITO
from chalicelib.console import i18n
from chalicelib.console.pages import (
    LANGUAGE_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    ZONE_BY_LABEL,
    ZONE_COOKIE,
    FormInvalid,
    Visit,
    page,
    safe_next,
)

CHALLENGE_COOKIE = "sapa_challenge"
YEAR = 365 * 24 * 3600


class LoginForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    email: str = Field(default="", max_length=254)
    password: str = Field(default="", max_length=256)
    next: str = Field(default="", max_length=500)


class NewPasswordForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    password: str = Field(default="", max_length=256)
    confirm: str = Field(default="", max_length=256)


class PreferencesForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    lang: str | None = Field(default=None, max_length=5)
    zone: str | None = Field(default=None, max_length=5)
    back: str = Field(default="", max_length=500)


def _login_page(visit: Visit, status: int = 200, error: str | None = None, email: str = "", nxt: str = "") -> Response:
    token = visit.cookie(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    visit.set_cookie(LOGIN_CSRF_COOKIE, token, int(CHALLENGE_LIFETIME.total_seconds()) * 6)
    notice = {"ended": "Your session has ended; sign in again.", "out": "You are signed out."}.get(
        visit.query.get("m", "")
    )
    return visit.render(
        "login.html",
        status=status,
        csrf=token,
        error=error,
        email=email,
        next=nxt or visit.query.get("next", ""),
        notice=notice,
    )


@page(signed_in=False)
def login_form(visit: Visit) -> Response:
    if visit.session is not None:
        return visit.redirect(safe_next(visit.query.get("next")))
    return _login_page(visit)


@page(signed_in=False)
def login(visit: Visit) -> Response:
    translate = i18n.gettext(visit.language)
    try:
        form = visit.parse(LoginForm)
    except FormInvalid:
        return _login_page(visit, 400, translate("The e-mail or the password is wrong."))
    try:
        email = validate_email(form.email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return _login_page(visit, 400, translate("Enter a valid e-mail address."), form.email, form.next)
    throttle = visit.container.access.throttle()
    wait = throttle.wait(email)
    if wait:
        visit.extra_headers["Retry-After"] = str(wait)
        message = translate("Too many failed attempts. Try again in %(seconds)s seconds.") % {"seconds": wait}
        return _login_page(visit, 429, message, email, form.next)
    try:
        outcome = visit.container.access.cognito().sign_in(email, form.password)
    except WrongCredentials:
        throttle.failed(email)
        return _login_page(visit, 401, translate("The e-mail or the password is wrong."), email, form.next)
    throttle.succeeded(email)
    return _signed_in(visit, outcome, email, form.next)


def _signed_in(visit: Visit, outcome: SignedIn | NewPasswordRequired, email: str, nxt: str) -> Response:
    access = visit.container.access
    if isinstance(outcome, NewPasswordRequired):
        challenge_id = access.challenges().open(
            Challenge(outcome.username, outcome.session, email, safe_next(nxt)), visit.now
        )
        visit.set_cookie(CHALLENGE_COOKIE, challenge_id, int(CHALLENGE_LIFETIME.total_seconds()))
        return visit.redirect("/console/password")
    record = access.staff().get(outcome.username)
    if record is None or record.kind != COGNITO:
        translate = i18n.gettext(visit.language)
        return _login_page(visit, 403, translate("This account has no role in Sapa; ask an administrator."), email)
    hours = visit.container.settings.options.console_session_hours
    session_id, session = access.sessions().open(record.name, record.role, visit.now, timedelta(hours=hours))
    visit.set_cookie(SESSION_COOKIE, session_id, int(hours * 3600))
    visit.set_cookie(LOGIN_CSRF_COOKIE, "", 0)
    visit.container.customers.audit().record(session.name, "staff.signed_in", session.name, visit.now)
    return visit.redirect(safe_next(nxt))


def _password_page(visit: Visit, status: int = 200, error: str | None = None) -> Response:
    return visit.render("password.html", status=status, csrf=visit.cookie(LOGIN_CSRF_COOKIE) or "", error=error)


@page(signed_in=False)
def password_form(visit: Visit) -> Response:
    if visit.container.access.challenges().get(visit.cookie(CHALLENGE_COOKIE), visit.now) is None:
        return visit.redirect("/console/login")
    return _password_page(visit)


@page(signed_in=False)
def new_password(visit: Visit) -> Response:
    translate = i18n.gettext(visit.language)
    challenges = visit.container.access.challenges()
    challenge_id = visit.cookie(CHALLENGE_COOKIE)
    challenge = challenges.get(challenge_id, visit.now)
    if challenge is None:
        return _login_page(visit, 401, translate("The sign-in took too long; sign in again."))
    try:
        form = visit.parse(NewPasswordForm)
    except FormInvalid:
        return _password_page(visit, 400, translate("The two passwords differ."))
    if form.password != form.confirm:
        return _password_page(visit, 400, translate("The two passwords differ."))
    try:
        outcome = visit.container.access.cognito().complete_new_password(
            challenge.username, challenge.cognito_session, form.password
        )
    except PasswordRejected as refused:
        return _password_page(visit, 400, translate("The password was refused: %(reason)s") % {"reason": refused})
    except WrongCredentials:
        challenges.close(challenge_id)
        return _login_page(visit, 401, translate("The sign-in took too long; sign in again."))
    challenges.close(challenge_id)
    visit.set_cookie(CHALLENGE_COOKIE, "", 0)
    return _signed_in(visit, outcome, challenge.email, challenge.next)


@page()
def logout(visit: Visit) -> Response:
    assert visit.session is not None
    access = visit.container.access
    access.sessions().close(visit.cookie(SESSION_COOKIE))
    access.cognito().sign_out(visit.session.name)
    visit.container.customers.audit().record(visit.session.name, "staff.signed_out", visit.session.name, visit.now)
    visit.set_cookie(SESSION_COOKIE, "", 0)
    return visit.redirect("/console/login?m=out")


@page(signed_in=False)
def preferences(visit: Visit) -> Response:
    """Language and zone: the browser's choice, kept a year (CSRF-checked like every form)."""
    form = visit.parse(PreferencesForm)
    if form.lang in i18n.LANGUAGES:
        visit.set_cookie(LANGUAGE_COOKIE, form.lang, YEAR)
    if form.zone in ZONE_BY_LABEL:
        visit.set_cookie(ZONE_COOKIE, form.zone, YEAR)
    return visit.redirect(safe_next(form.back))


@page()
def home(visit: Visit) -> Response:
    assert visit.session is not None
    return visit.render("home.html", permissions=sorted(p.value for p in MATRIX.get(Role(visit.session.role), ())))

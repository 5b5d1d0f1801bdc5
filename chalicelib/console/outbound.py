"""The outbound halt from every page's header: an admin halts all sending with a reason, or resumes it.

The same service as `POST /outbound/halt` and `/outbound/resume` (audited, held messages released on
resume); the page answers by going back where the button was pressed, where the header shows the new state.
"""

from __future__ import annotations

from chalice.app import Response
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.access.roles import Permission
from chalicelib.console import i18n
from chalicelib.console.pages import FormInvalid, Visit, page, safe_next


class HaltForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=500)
    back: str = "/console"


class BackForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    back: str = "/console"


@page(Permission.OUTBOUND_HALT)
def halt(visit: Visit) -> Response:
    translate = i18n.gettext(visit.language)
    try:
        form = visit.parse(HaltForm)
    except FormInvalid:
        return visit.refuse(
            400,
            translate("Sending was not halted"),
            translate("Say why sending is halted (3 to 500 characters), then press the button again."),
        )
    visit.container.outbound.halt().halt(visit.session.name if visit.session else "-", form.reason)
    return visit.redirect(safe_next(form.back))


@page(Permission.OUTBOUND_HALT)
def resume(visit: Visit) -> Response:
    try:
        back = visit.parse(BackForm).back
    except FormInvalid:
        back = "/console"
    visit.container.outbound.halt().resume(visit.session.name if visit.session else "-")
    return visit.redirect(safe_next(back))

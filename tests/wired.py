"""The app under test's wiring, by context, as its handlers see it: `outbound.dispatcher()`.

Each test's `app` fixture gives the app a fresh `Container` (moto's AWS, the
test's clock); these names read that container's contexts, so a test builds its
collaborators exactly as the handlers do, and a fake goes in through the
container (`wired().outbound.extra_observers`), never by replacing a module's
attribute.
"""

from __future__ import annotations

from typing import Any


def wired() -> Any:
    """The container of the app under test."""
    import app

    return app.app.container


class _Context:
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(getattr(wired(), self._name), attribute)


customers = _Context("customers")
outbound = _Context("outbound")
greetings = _Context("greetings")
campaigns = _Context("campaigns")
scrm = _Context("scrm")
access = _Context("access")
contracts = _Context("contracts")
reminders = _Context("reminders")

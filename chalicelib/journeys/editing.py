"""Staff's changes to journeys: create, edit, pause, resume, seed the defaults; each audited."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from chalicelib.core.errors import Conflict, NotFound, ValidationFailed
from chalicelib.journeys.content import content_problems
from chalicelib.journeys.defaults import DEFAULTS
from chalicelib.journeys.model import InvalidJourney, Journey, parse_journey
from chalicelib.journeys.store import JourneyStore


class Audit(Protocol):
    def __call__(self, actor: str, action: str, target: str, now: datetime, **details: Any) -> Any: ...


class JourneyEditor:
    def __init__(
        self, store: JourneyStore, audit: Audit, clock: Callable[[], datetime], extra_fields: tuple[str, ...] = ()
    ) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.extra_fields = extra_fields

    def _parse(self, data: Mapping[str, Any]) -> Journey:
        try:
            return parse_journey(data, self.extra_fields, check_content=content_problems)
        except InvalidJourney as error:
            raise ValidationFailed(error.fields) from None

    def get(self, journey_id: str) -> Journey:
        journey = self.store.get(journey_id)
        if journey is None:
            raise NotFound(f"no journey {journey_id}")
        return journey

    def create(self, data: Mapping[str, Any], actor: str) -> Journey:
        now = self.clock().isoformat()
        journey = self._parse({**data, "version": 1, "created_at": now, "updated_at": now})
        if not self.store.create(journey):
            raise Conflict(f"a journey {journey.id} exists already")
        self.audit(actor, "journey.created", journey.id, self.clock(), name=journey.name)
        return journey

    def update(self, journey_id: str, data: Mapping[str, Any], actor: str) -> Journey:
        """Replace the definition; enrolments keep their place (by step position) and take the new steps."""
        current = self.get(journey_id)
        expected = data.get("version")
        if expected is not None and expected != current.version:
            raise Conflict(f"journey {journey_id} was changed meanwhile (version {current.version}); reload it")
        journey = self._parse(
            {
                **data,
                "id": journey_id,
                "version": current.version + 1,
                "created_at": current.created_at,
                "updated_at": self.clock().isoformat(),
            }
        )
        if not self.store.replace(journey, current.version):
            raise Conflict(f"journey {journey_id} was changed meanwhile; reload it")
        self.audit(actor, "journey.updated", journey_id, self.clock(), version=journey.version)
        return journey

    def set_status(self, journey_id: str, status: str, actor: str) -> Journey:
        current = self.get(journey_id)
        if current.status == status:
            return current
        journey = replace(current, status=status, version=current.version + 1, updated_at=self.clock().isoformat())
        if not self.store.replace(journey, current.version):
            raise Conflict(f"journey {journey_id} was changed meanwhile; try again")
        self.audit(actor, f"journey.{'resumed' if status == 'active' else 'paused'}", journey_id, self.clock())
        return journey

    def seed_defaults(self, actor: str) -> list[str]:
        """The default journeys not there yet (an existing one, edited or paused, is left as it is)."""
        created = []
        now = self.clock().isoformat()
        for data in DEFAULTS:
            journey = self._parse({**data, "version": 1, "created_at": now, "updated_at": now})
            if self.store.create(journey):
                created.append(journey.id)
        if created:
            self.audit(actor, "journey.defaults_seeded", ",".join(created), self.clock(), count=len(created))
        return created

"""The greetings context's collaborators: the greeting run, holidays, the call list."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from chalicelib.customers.unsubscribe import UnsubscribeGrant, unsubscribe_url
from chalicelib.greetings.run import GreetingService
from chalicelib.greetings.store import CallList, HolidayStore, RunStore

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.greetings.editing import CallDesk, HolidayEditor
    from chalicelib.wiring.container import Container


class GreetingsWiring:
    def __init__(self, root: Container) -> None:
        self.root = root

    def holiday_store(self) -> HolidayStore:
        return HolidayStore(self.root.table("greetings"))

    def run_store(self) -> RunStore:
        return RunStore(self.root.table("greetings"))

    def call_list(self) -> CallList:
        return CallList(self.root.table("greetings"))

    def holiday_editor(self) -> HolidayEditor:
        from chalicelib.greetings.editing import HolidayEditor

        return HolidayEditor(
            self.holiday_store(), self.root.customers.audit().record, self.root.now, self._check_audience
        )

    def call_desk(self) -> CallDesk:
        from chalicelib.greetings.editing import CallDesk

        return CallDesk(self.call_list(), self.root.customers.audit().record, self.root.now)

    def _check_audience(self, audience: dict[str, Any]) -> None:
        from chalicelib.campaigns.segments import InvalidSegment, parse_segment
        from chalicelib.core.errors import ValidationFailed

        try:
            parse_segment(audience, self.segment_fields())
        except InvalidSegment as error:
            raise ValidationFailed({k.replace("segment", "audience", 1): v for k, v in error.fields.items()}) from None

    def segment_fields(self) -> tuple[str, ...]:
        """Extra attribute names holiday audiences may use: the campaigns' (SAPA_SEGMENT_FIELDS)."""
        return self.root.campaigns.extra_fields()

    def inline_audience_limit(self) -> int:
        return self.root.settings.options.inline_audience_limit

    def customer_count(self) -> int:
        return self.root.customer_count()

    def _unsubscribe(self, customer_id: str) -> str:
        config = self.root.settings
        return unsubscribe_url(
            config.public_url, config.secret("SAPA_SIGNING_SECRET"), UnsubscribeGrant(customer_id, "email", "greetings")
        )

    def _audience_matches(self, audience: Mapping[str, Any], item: Mapping[str, Any], day: date) -> bool:
        from chalicelib.campaigns.segments import parse_segment
        from chalicelib.customers.model import customer_from_item

        return parse_segment(dict(audience), self.segment_fields()).matches(customer_from_item(item), day)

    def greeting_service(self) -> GreetingService:
        from chalicelib.outbound.contact_policy import zone_of

        outbound = self.root.outbound
        hours = outbound.contact_hours()

        def opening(customer: Mapping[str, Any], now: Any) -> Any:
            return hours.opening("greeting", zone_of(customer.get("timezone")), now)

        return GreetingService(
            customers=self.root.customers.repository(),
            holidays=self.holiday_store(),
            runs=self.run_store(),
            calls=self.call_list(),
            dispatcher=outbound.dispatcher(),
            clock=self.root.now,
            unsubscribe_url=self._unsubscribe,
            enqueue_jobs=self.root.enqueue_fanout,
            # The greeting hour is the contact policy's: its greeting window opens then.
            send_hour=outbound.contact_policy_store().current().greeting.opens.hour,
            segments=self.root.settings.options.holiday_segments,
            audience_matches=self._audience_matches,
            opening=opening,
        )

    def holiday_job(self, job: Mapping[str, Any]) -> None:
        """A holiday audience segment from the fan-out queue."""
        from chalicelib.greetings.fanout import process_holiday_job

        process_holiday_job(job, self.greeting_service())

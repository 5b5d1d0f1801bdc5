"""A holiday audience segment from the fan-out queue: greet everyone in it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.core.observability import logger
from chalicelib.greetings.run import GreetingService


def process_holiday_job(job: Mapping[str, Any], service: GreetingService) -> None:
    holiday = service.holiday_from_job(job)
    if holiday is None:
        logger.info("holiday no longer greeted; job dropped", extra={"job": dict(job)})
        return
    try:
        report = service.greet_holiday_segment(
            holiday, job.get("zone"), int(job["segment"]), int(job["total_segments"])
        )
    except ValueError as error:  # an audience that cannot be read: retrying cannot help, the other holidays go on
        logger.warning("holiday segment not greeted", extra={"holiday": holiday.key, "error": str(error)})
        return
    logger.info("holiday segment greeted", extra={"holiday": holiday.key, "segment": job["segment"], **report.body()})

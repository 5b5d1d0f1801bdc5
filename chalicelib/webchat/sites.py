"""The websites that may embed the chat widget: each one's name and the origins its pages are served from.

A site is configured, not created at run time: `SAPA_WEBCHAT_SITES` is a JSON
object of site id to `{"name", "origins"}`. The local stage has one site,
`demo`, on the local API's own origin (the `/widget/demo` page).
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

SiteId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
Origin = Annotated[str, StringConstraints(pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")]


class InvalidSites(ValueError):
    """SAPA_WEBCHAT_SITES is not a valid site list: the function refuses to start."""


class Site(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: SiteId
    name: str = Field(min_length=1, max_length=80)
    origins: tuple[Origin, ...] = Field(min_length=1)

    def allows(self, origin: str | None) -> bool:
        """Browsers send Origin on every WebSocket handshake; none (a script, curl) is refused too."""
        return origin is not None and origin.rstrip("/") in self.origins


class Sites:
    def __init__(self, sites: tuple[Site, ...]) -> None:
        self._sites = {site.id: site for site in sites}

    @classmethod
    def parse(cls, raw: str, *, local_origin: str | None, brand: str) -> Sites:
        """The configured sites; on the local stage with none configured, the demo site on the local API."""
        if not raw.strip():
            demo = () if local_origin is None else (Site(id="demo", name=brand, origins=(local_origin,)),)
            return cls(demo)
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise InvalidSites("SAPA_WEBCHAT_SITES must be a JSON object of site id to {name, origins}")
            return cls(tuple(Site(id=key, **value) for key, value in data.items()))
        except (ValueError, TypeError, ValidationError) as error:
            raise InvalidSites(f"SAPA_WEBCHAT_SITES is not a valid site list: {error}") from None

    def get(self, site_id: str | None) -> Site | None:
        return self._sites.get(site_id or "")

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._sites.values())

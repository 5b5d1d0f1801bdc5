"""Which websites may open the chat: configured sites and their origins, nothing else."""

from __future__ import annotations

import pytest

from chalicelib.webchat.sites import InvalidSites, Sites


def test_a_configured_site_allows_only_its_origins() -> None:
    sites = Sites.parse(
        '{"portal": {"name": "Sapa Finance", "origins": ["https://www.sapa.example", "https://app.sapa.example"]}}',
        local_origin=None,
        brand="Sapa Finance",
    )
    site = sites.get("portal")

    assert site is not None
    assert site.allows("https://www.sapa.example")
    assert site.allows("https://app.sapa.example/")
    assert not site.allows("https://evil.example")
    assert not site.allows("http://www.sapa.example")
    assert not site.allows(None)
    assert sites.get("demo") is None


def test_the_local_stage_has_the_demo_site_on_its_own_origin() -> None:
    sites = Sites.parse("", local_origin="http://127.0.0.1:8000", brand="Sapa Finance")

    assert sites.get("demo").allows("http://127.0.0.1:8000")
    assert Sites.parse("", local_origin=None, brand="x").get("demo") is None


@pytest.mark.parametrize(
    "raw",
    ['["demo"]', '{"demo": {"name": "x"}}', '{"Demo Site": {"name": "x", "origins": ["https://a.example"]}}', "{"],
)
def test_a_malformed_site_list_stops_the_function(raw: str) -> None:
    with pytest.raises(InvalidSites):
        Sites.parse(raw, local_origin=None, brand="x")

"""Bad input anywhere gets a clear 4xx with a JSON body, never a 5xx.

Hypothesis generates JSON bodies and query strings for every staff route the
app registers (so new routes are covered the day they are added) and bodies
for the Meta webhook, signed and unsigned. Among them the shapes a security
review found: JSON nested 50,000 deep, lone surrogates, crafted and foreign
cursors, dates in the year 9999, query parameters no route reads, paths and
methods the API does not have (with and without a token). The tally
(requests tried, 5xx seen) is printed at the end of the run.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.scrm.meta.signature import sign
from tests.resilience.conftest import FUZZ

ADMIN = {"Authorization": "Bearer test-admin-token", "Content-Type": "application/json"}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=12,
)
interesting_keys = st.sampled_from(
    [
        "name",
        "external_id",
        "phone",
        "email",
        "date",
        "channel",
        "template",
        "segment",
        "send_at",
        "customer_ids",
        "customer_id",
        "text",
        "agent",
        "greet",
        "audience",
        "channels",
        "outcome",
        "consents",
        "attributes",
        "limit",
        "cursor",
        "year",
        "status",
        "from",
        "to",
        "body",
        "subject",
        "key",
    ]
)
DEEP = "[" * 50_000 + "]" * 50_000
SURROGATE = "\\ud800"  # as JSON text: json.loads gives a lone surrogate DynamoDB cannot store


def _with_surrogate(value: Any) -> str:
    """The value as JSON text with a lone surrogate at the start of its first string."""
    text = json.dumps(value)
    return text.replace('"', '"' + SURROGATE, 1) if '"' in text else f'["{SURROGATE}", {text}]'


crafted_cursors = st.sampled_from(
    [
        base64.urlsafe_b64encode(json.dumps({"pk": "staff#admin", "sk": "staff"}).encode()).decode().rstrip("="),
        base64.urlsafe_b64encode(json.dumps({"id": "cus_x"}).encode()).decode().rstrip("=") + ".AAAA",
        "not.a.cursor",
    ]
)
hostile_values = st.sampled_from(["9999-12-31", "0000-01-01", "1e308", "-1", "\u0000", "%00", "😀" * 50])
bodies = st.one_of(
    json_values,
    st.dictionaries(interesting_keys, json_values, max_size=6),
    st.text(max_size=50),
    st.just(DEEP),
    st.dictionaries(interesting_keys, json_values, min_size=1, max_size=4).map(_with_surrogate),
)
queries = st.dictionaries(
    interesting_keys | st.sampled_from(["q", "province", "cursor"]),
    st.text(max_size=20) | crafted_cursors | hostile_values,
    max_size=3,
)
path_params = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters="-_.#"), min_size=1, max_size=20
)


def _routes() -> list[tuple[str, str]]:
    import app as sapa_app

    found = []
    for path, methods in sapa_app.app.routes.items():
        for method, entry in methods.items():
            if entry.authorizer is not None:
                found.append((path, method))
    return sorted(found)


def _fill(path: str, value: str) -> str:
    out = path
    while "{" in out:
        start, end = out.index("{"), out.index("}")
        out = out[:start] + urllib.parse.quote(value, safe="") + out[end + 1 :]
    return out


def _assert_clean(response: Any, context: str) -> None:
    FUZZ["requests"] += 1
    FUZZ["5xx"] += int(response.status_code >= 500)
    assert response.status_code < 500, f"{context} → {response.status_code}: {response.body[:300]!r}"
    if response.status_code >= 400:
        body = json.loads(response.body)
        assert isinstance(body, dict), context
        assert isinstance(body.get("error"), str), context
        assert isinstance(body.get("message"), str), context


@pytest.mark.parametrize(("path", "method"), _routes())
def test_no_staff_route_answers_5xx_to_any_body_or_query(client, path: str, method: str) -> None:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=bodies, query=queries, param=path_params)
    def check(body: Any, query: dict[str, str], param: str) -> None:
        url = _fill(path, param)
        if query:
            url += "?" + urllib.parse.urlencode(query)
        payload = body if isinstance(body, str) else json.dumps(body)
        headers = dict(ADMIN)
        if path.endswith("/import"):
            headers["Content-Type"] = "text/csv"
        response = getattr(client.http, method.lower())(url, body=payload, headers=headers)
        _assert_clean(response, f"{method} {url}")

    check()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        json_values.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=200),
        st.just(DEEP.encode()),
        json_values.map(_with_surrogate).map(str.encode),
    ),
    signed=st.booleans(),
)
def test_no_webhook_body_causes_a_5xx(client, body: bytes, signed: bool) -> None:
    headers = {"Content-Type": "application/json"}
    if signed:
        headers["X-Hub-Signature-256"] = sign(body, "test-meta-app-secret")

    response = client.http.post("/webhooks/meta", body=body, headers=headers)

    _assert_clean(response, f"webhook signed={signed}")
    if not signed:
        assert response.status_code == 401


METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
unknown_segments = st.lists(path_params, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=unknown_segments, method=st.sampled_from(METHODS), token=st.booleans())
def test_a_route_the_api_does_not_have_is_a_404_or_405_in_sapa_shape(
    client, path: str, method: str, token: bool
) -> None:
    import app as sapa_app

    known = _known_path(sapa_app.app.routes, path)
    headers = dict(ADMIN) if token else {"Content-Type": "application/json"}

    response = client.http.request(method, urllib.parse.quote(path), headers=headers, body=b"{}")

    _assert_clean(response, f"{method} {path} token={token}")
    if known is None:
        assert response.status_code == 404, (path, response.body)
        assert json.loads(response.body)["error"] == "not_found"
    elif method not in sapa_app.app.routes[known]:
        assert response.status_code in (401, 405), (path, response.body)


def _known_path(routes: dict[str, Any], path: str) -> str | None:
    """The route pattern `path` matches, if any ({name} matches one segment, as API Gateway does)."""
    parts = path.strip("/").split("/")
    for pattern in routes:
        pattern_parts = pattern.strip("/").split("/")
        if len(pattern_parts) == len(parts) and all(
            p.startswith("{") or p == actual for p, actual in zip(pattern_parts, parts, strict=True)
        ):
            return pattern
    return None

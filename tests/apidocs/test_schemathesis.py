"""Schemathesis drives every operation of the OpenAPI document against the local API server.

Cases generated from each route's models, valid ones and invalid ones (wrong
types, missing fields, values out of range), sent with an admin token: no
answer may be a 5xx, and every answer's status, media type and body (errors
included, in Sapa's shape) must be the ones the document declares. Bounded: OPENAPI_FUZZ_EXAMPLES cases per
operation (default 25), no shrinking: about 1,250 requests, a minute and a half.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chalicelib.access.roles import ROUTE_PERMISSIONS
from chalicelib.core.openapi import document
from tests.apidocs.conftest import SCHEMATHESIS
from tests.conftest import ADMIN

EXAMPLES = int(os.environ.get("OPENAPI_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.slow
def test_every_operation_answers_as_the_document_says(app: Any, local_api_url: str) -> None:
    schema = schemathesis.openapi.from_dict(document(app, ROUTE_PERMISSIONS))
    session = requests.Session()
    failures: dict[str, str] = {}

    for result in schema.get_all_operations():
        operation = result.ok()
        SCHEMATHESIS["operations"] += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=st.one_of(
                operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
            )
        )
        def holds(case: Any) -> None:
            SCHEMATHESIS["requests"] += 1
            response = case.call(base_url=local_api_url, session=session, headers=dict(ADMIN), timeout=30)
            SCHEMATHESIS[f"{response.status_code // 100}xx"] += 1
            case.validate_response(response, checks=CHECKS, headers=dict(ADMIN))

        try:
            holds()
        except Exception as error:  # noqa: BLE001 (each operation's first failure, all reported together)
            SCHEMATHESIS["failures"] += 1
            failures[operation.label] = str(error)[:1500]

    assert SCHEMATHESIS["operations"] == sum(len(item) for item in schema.raw_schema["paths"].values())
    assert failures == {}, "\n\n".join(f"{label}:\n{problem}" for label, problem in failures.items())


@pytest.mark.slow
def test_the_checks_catch_an_answer_the_document_does_not_describe(app: Any, local_api_url: str) -> None:
    raw = document(app, ROUTE_PERMISSIONS)
    raw["components"]["schemas"]["Health"]["properties"]["version"] = {"type": "integer"}
    case = schemathesis.openapi.from_dict(raw)["/health"]["GET"].Case()
    response = case.call(base_url=local_api_url)

    with pytest.raises(FailureGroup) as caught:
        case.validate_response(response, checks=CHECKS)

    assert [type(part).__name__ for part in caught.value.exceptions] == ["JsonSchemaError"]

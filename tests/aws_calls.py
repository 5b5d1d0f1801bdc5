"""What each Lambda function really asks of AWS, recorded while tests run.

A botocore hook on the session Sapa's handlers use turns every API call into
the IAM requests AWS would authorise: `(function, action, resource, leading
keys)`. The function is the Chalice handler on the call stack (routes are the
API handler, as in Lambda); calls made by test set-up or by the local runner
(the event source mapping's polling) belong to no function and are skipped.
A transaction is recorded as its per-item actions, because that is how IAM
authorises TransactWriteItems.
"""

from __future__ import annotations

import inspect
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import CodeType
from typing import Any

from boto3.dynamodb.conditions import ConditionBase, Key

from chalicelib.core import resources

REGION = "ap-southeast-3"
ACCOUNT = "123456789012"  # moto's account
PARTITION = "aws"
UNKNOWN_KEY = "<unknown partition>"


@dataclass(frozen=True)
class Call:
    """One IAM request: an action on a resource, with the partition keys it touches (DynamoDB)."""

    function: str
    action: str
    resource: str
    leading_keys: tuple[str, ...] | None = None  # None: not an item-level DynamoDB request

    def __str__(self) -> str:
        keys = f" {list(self.leading_keys)}" if self.leading_keys else ""
        return f"{self.function}: {self.action} {self.resource}{keys}"


WEBSOCKET_API_ID = "wsapi"  # what the test IAM evaluator resolves the WebSocket API's Ref to


def handler_codes(app: Any) -> dict[CodeType, str]:
    """The code object of every handler, mapped to the Lambda function that runs it."""
    codes: dict[CodeType, str] = {}
    for methods in app.routes.values():
        for entry in methods.values():
            codes[inspect.unwrap(entry.view_function).__code__] = "api_handler"
    for name in [auth.name for auth in app.builtin_auth_handlers] + [s.name for s in app.event_sources]:
        codes[inspect.unwrap(app.handler_map[name].func).__code__] = name
    for function in app.pure_lambda_functions:
        codes[inspect.unwrap(function.func).__code__] = function.name
    from sapa_cli.cfn import WEBSOCKET_FUNCTIONS

    for route, handler in app.websocket_handlers.items():
        codes[inspect.unwrap(handler.handler_function).__code__] = WEBSOCKET_FUNCTIONS[route]
    return codes


def table_arn(name: str, index: str | None = None) -> str:
    arn = f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    return f"{arn}/index/{index}" if index else arn


class CallRecorder:
    """botocore hooks that record the IAM requests of each handler's AWS calls.

    Attach before the session makes its first client: botocore copies the
    session's event emitter into each client when it is created.
    """

    def __init__(self, app: Any) -> None:
        self._codes = handler_codes(app)
        self._lock = threading.Lock()
        self.calls: list[Call] = []
        self._hash_keys = {t.logical: t.hash_key for t in resources.TABLES}

    def attach(self, events: Any) -> None:
        events.register("provide-client-params", self._record, unique_id="sapa-test-iam-recorder")

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def by_function(self) -> dict[str, set[Call]]:
        out: dict[str, set[Call]] = {}
        for call in self.calls:
            out.setdefault(call.function, set()).add(call)
        return out

    # -- the hook --------------------------------------------------------------------
    def _function(self) -> str | None:
        frame = sys._getframe(2)
        while frame is not None:
            name = self._codes.get(frame.f_code)
            if name:
                return name
            frame = frame.f_back
        return None

    def _record(self, params: Mapping[str, Any], model: Any, **_: Any) -> None:
        function = self._function()
        if function is None:
            return
        service = model.service_model.endpoint_prefix
        calls = [
            Call(function, action, resource, keys) for action, resource, keys in self._requests(service, model, params)
        ]
        with self._lock:
            self.calls.extend(calls)

    def _requests(self, service: str, model: Any, params: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
        operation = model.name
        if service == "dynamodb":
            yield from self._dynamodb(operation, params)
        elif service == "sqs":
            action = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage"}.get(operation)
            action = action or operation.replace("ChangeMessageVisibilityBatch", "ChangeMessageVisibility")
            name = params.get("QueueName") or str(params.get("QueueUrl", "")).rstrip("/").rsplit("/", 1)[-1]
            yield f"sqs:{action}", f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{name}", None
        elif service == "s3":
            yield f"s3:{operation}", f"arn:{PARTITION}:s3:::{params['Bucket']}/{params.get('Key', '')}", None
        elif service == "email":  # SES v2
            sender = str(params.get("FromEmailAddress", "")).rsplit("<", 1)[-1].rstrip(">")
            for identity in (sender, sender.rsplit("@", 1)[-1]):
                yield f"ses:{operation}", f"arn:{PARTITION}:ses:{REGION}:{ACCOUNT}:identity/{identity}", None
            if params.get("ConfigurationSetName"):
                config_set = params["ConfigurationSetName"]
                yield f"ses:{operation}", f"arn:{PARTITION}:ses:{REGION}:{ACCOUNT}:configuration-set/{config_set}", None
        elif service == "execute-api":  # the Management API of the website chat's WebSocket API
            yield (
                "execute-api:ManageConnections",
                f"arn:{PARTITION}:execute-api:{REGION}:{ACCOUNT}:{WEBSOCKET_API_ID}/api/{model.http['method']}"
                f"/@connections/{params.get('ConnectionId', '')}",
                None,
            )
        elif service == "ssm":
            for name in params.get("Names") or [params.get("Name")]:
                yield f"ssm:{operation}", f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:parameter{name}", None
        elif service == "cognito-idp" and params.get("UserPoolId"):
            yield (
                f"cognito-idp:{operation}",
                f"arn:{PARTITION}:cognito-idp:{REGION}:{ACCOUNT}:userpool/{params['UserPoolId']}",
                None,
            )
        else:
            yield f"{service}:{operation}", "*", None

    def _dynamodb(self, operation: str, params: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
        if operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                ((kind, request),) = entry.items()
                action = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}.get(kind, kind + "Item")
                yield f"dynamodb:{action}", table_arn(request["TableName"]), self._keys(request["TableName"], request)
        elif operation == "TransactGetItems":
            for entry in params["TransactItems"]:
                request = entry["Get"]
                yield "dynamodb:GetItem", table_arn(request["TableName"]), self._keys(request["TableName"], request)
        elif operation in ("BatchGetItem", "BatchWriteItem"):
            for name, request in params["RequestItems"].items():
                if operation == "BatchGetItem":
                    keys = tuple(self._value(name, key) for key in request["Keys"])
                else:
                    keys = tuple(
                        self._value(name, (w.get("PutRequest") or {}).get("Item") or w["DeleteRequest"]["Key"])
                        for w in request
                    )
                yield f"dynamodb:{operation}", table_arn(name), tuple(sorted(set(keys)))
        elif operation == "Query":
            name = params["TableName"]
            index = params.get("IndexName")
            keys = None if index else self._query_key(name, params)
            yield "dynamodb:Query", table_arn(name, index), keys
        elif operation == "Scan":
            yield "dynamodb:Scan", table_arn(params["TableName"], params.get("IndexName")), None
        elif operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem"):
            name = params["TableName"]
            yield f"dynamodb:{operation}", table_arn(name), self._keys(name, params)
        else:
            yield f"dynamodb:{operation}", table_arn(params["TableName"]), None

    # -- partition keys ----------------------------------------------------------------
    def _logical(self, table_name: str) -> str:
        return table_name.split("-", 2)[2]

    def _keys(self, table_name: str, request: Mapping[str, Any]) -> tuple[str, ...]:
        return (self._value(table_name, request.get("Key") or request["Item"]),)

    def _value(self, table_name: str, item: Mapping[str, Any]) -> str:
        value = item[self._hash_keys[self._logical(table_name)]]
        if isinstance(value, Mapping):  # the client's typed form {"S": "..."}
            (value,) = value.values()
        return str(value)

    def _query_key(self, table_name: str, params: Mapping[str, Any]) -> tuple[str, ...] | None:
        hash_key = self._hash_keys[self._logical(table_name)]
        condition = params.get("KeyConditionExpression")
        if isinstance(condition, ConditionBase):
            found = _equals_value(condition, hash_key)
            if found is not None:
                return (found,)
        return (UNKNOWN_KEY,)  # a string expression: no LeadingKeys condition may allow what we cannot read


def _equals_value(condition: ConditionBase, name: str) -> str | None:
    expression = condition.get_expression()
    values = expression["values"]
    if expression["operator"] == "=" and isinstance(values[0], Key) and values[0].name == name:
        return str(values[1])
    for value in values:
        if isinstance(value, ConditionBase):
            found = _equals_value(value, name)
            if found is not None:
                return found
    return None

"""Just enough of IAM's policy evaluation to judge Sapa's generated roles in tests.

Resolves the template's intrinsic functions (Fn::GetAtt Arn, Fn::Sub, Ref of
pseudo parameters) to concrete ARNs for one account and region, then decides
a request the way IAM does: an explicit Deny wins, otherwise some Allow must
match action, resource and every condition. A condition operator it does not
know makes it refuse to decide rather than guess.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from tests.aws_calls import ACCOUNT, PARTITION, REGION, WEBSOCKET_API_ID, Call

PSEUDO = {"AWS::Partition": PARTITION, "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}


class Resolver:
    """Concrete values of a template's references, as CloudFormation would give them."""

    def __init__(self, resources: Mapping[str, Any], names: Mapping[str, str] | None = None) -> None:
        self.resources = resources
        self.names = dict(names or {})  # resource id -> the physical name this environment gave it

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "Fn::GetAtt" in value:
            resource_id, attribute = value["Fn::GetAtt"]
            return self.attribute(resource_id, attribute)
        if "Fn::Sub" in value:
            return re.sub(r"\$\{([^}]+)\}", lambda m: self.variable(m.group(1)), value["Fn::Sub"])
        if "Ref" in value:
            return self.variable(value["Ref"])
        return {k: self(v) for k, v in value.items()}

    def variable(self, name: str) -> str:
        if name in PSEUDO:
            return PSEUDO[name]
        if "." in name:
            resource_id, attribute = name.split(".", 1)
            return self.attribute(resource_id, attribute)
        return self.ref(name)

    def ref(self, resource_id: str) -> str:
        if resource_id in self.names:
            return self.names[resource_id]
        if resource_id == "WebsocketAPI":  # `chalice package` adds it; the merge template only refers to it
            return WEBSOCKET_API_ID
        spec = self.resources[resource_id]
        properties = spec.get("Properties", {})
        if spec["Type"] == "AWS::S3::Bucket":
            return str(self(properties["BucketName"]))
        raise KeyError(f"no Ref for {resource_id} ({spec['Type']})")

    def attribute(self, resource_id: str, attribute: str) -> str:
        if attribute != "Arn":
            raise KeyError(f"{resource_id}.{attribute}")
        spec = self.resources[resource_id]
        properties = spec.get("Properties", {})
        kind = spec["Type"]
        if kind == "AWS::DynamoDB::Table":
            return f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{properties['TableName']}"
        if kind == "AWS::SQS::Queue":
            return f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{properties['QueueName']}"
        if kind == "AWS::S3::Bucket":
            return f"arn:{PARTITION}:s3:::{self.ref(resource_id)}"
        if kind == "AWS::Cognito::UserPool":  # its id is Cognito's to choose: any pool of the account here
            return f"arn:{PARTITION}:cognito-idp:{REGION}:{ACCOUNT}:userpool/*"
        raise KeyError(f"no Arn for {resource_id} ({kind})")


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: Mapping[str, Mapping[str, Any]]

    def matches(self, call: Call) -> bool:
        return (
            any(fnmatchcase(call.action.lower(), a.lower()) for a in self.actions)
            and any(fnmatchcase(call.resource, r) for r in self.resources)
            and all(_condition(op, values, call) for op, values in self.condition.items())
        )


class Policy:
    """The statements of one role, resolved against its template."""

    def __init__(self, document: Mapping[str, Any], resolve: Resolver) -> None:
        self.statements = [
            Statement(
                sid=str(s.get("Sid", "")),
                effect=s["Effect"],
                actions=tuple(_listed(s["Action"])),
                resources=tuple(str(r) for r in _listed(resolve(s["Resource"]))),
                condition=resolve(s.get("Condition", {})),
            )
            for s in document["Statement"]
        ]

    def allows(self, call: Call) -> bool:
        if any(s.effect == "Deny" and s.matches(call) for s in self.statements):
            return False
        return any(s.effect == "Allow" and s.matches(call) for s in self.statements)

    def allowing(self, call: Call) -> list[str]:
        """The Sids of the Allow statements that grant the call (for tightness checks)."""
        return [s.sid for s in self.statements if s.effect == "Allow" and s.matches(call)]


def role_policies(
    template: Mapping[str, Any], role_ids: Mapping[str, str], names: Mapping[str, str] | None = None
) -> dict[str, Policy]:
    """function -> its role's policy, for the roles `role_ids` names (function -> role logical id)."""
    resolve = Resolver(template["Resources"], names)
    out: dict[str, Policy] = {}
    for function, role_id in role_ids.items():
        (policy,) = template["Resources"][role_id]["Properties"]["Policies"]
        out[function] = Policy(policy["PolicyDocument"], resolve)
    return out


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _condition(operator: str, values: Mapping[str, Any], call: Call) -> bool:
    return all(_test(operator, key, _listed(expected), call) for key, expected in values.items())


def _test(operator: str, key: str, expected: Iterable[Any], call: Call) -> bool:
    expected = [str(e) for e in expected]
    if key == "kms:ViaService":  # only KMS calls carry it; Sapa never calls KMS itself
        return call.action.startswith("kms:")
    if key != "dynamodb:LeadingKeys":
        raise ValueError(f"the test evaluator does not know the condition key {key}")
    present = list(call.leading_keys or ())
    if operator == "ForAllValues:StringLike":
        return all(any(fnmatchcase(v, e) for e in expected) for v in present)  # vacuously true when absent, as IAM
    if operator == "ForAnyValue:StringEquals":
        return any(v in expected for v in present)
    if operator == "ForAnyValue:StringLike":
        return any(fnmatchcase(v, e) for v in present for e in expected)
    raise ValueError(f"the test evaluator does not know the condition operator {operator}")


@lru_cache(maxsize=8)
def generated_policies(stage: str, public_url: str, email_sender: str, bucket: str) -> dict[str, Policy]:
    """Each function's policy exactly as `make package` would generate it for the stage.

    `bucket` is the payload bucket's name where the calls were made: CloudFormation names it with the
    account id (and hands it to the functions as SAPA_PAYLOAD_BUCKET), a test's bootstrap without.
    """
    import app
    from chalicelib.core import resources
    from sapa_cli.cfn import lambda_names, logical_id, merge_template, role_id
    from sapa_cli.stage_settings import StageSettings

    settings = StageSettings(stage, public_url, email_sender)
    template = merge_template(settings, app.app)
    names = {logical_id("Bucket", resources.BUCKETS[0].logical): bucket}
    return role_policies(template, {name: role_id(name) for name in lambda_names(app.app)}, names)


def refused_calls(calls: Iterable[Call], stage: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """The recorded calls the stage's generated roles would refuse, one line each."""
    from chalicelib.core.settings import Settings
    from sapa_cli.package import settings_for

    environ = dict(os.environ if environ is None else environ)
    settings = settings_for(stage, environ=environ)
    bucket = Settings.from_env({**environ, "SAPA_STAGE": stage}).payload_bucket
    policies = generated_policies(stage, settings.public_url, settings.email_sender, bucket)
    return sorted({str(call) for call in calls if not policies[call.function].allows(call)})

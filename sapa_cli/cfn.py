"""The CloudFormation merge template, generated from `chalicelib.core.resources`.

`chalice package --merge-template` deep-merges this into the template Chalice
writes, so one `sam.json` creates the functions *and* every table, queue,
dead-letter queue, alarm, topic and bucket, and gives each function a role
with only what `chalicelib.core.permissions` declares it needs, a fixed name
(so its role reaches only its own log group) and the stage's required
settings (`sapa_cli.stage_settings`).
It also declares what API Gateway answers on its own (an unknown route, a
refused token, a body over the limit) in Sapa's error shape
(`sapa_cli.gateway_responses`), and fixes what Chalice cannot express (aws/chalice#2029): SQS event
sources get `FunctionResponseTypes: [ReportBatchItemFailures]`, and their
functions depend on the queue, so the mapping waits for it to exist.
"""

from __future__ import annotations

import re
from typing import Any

from chalice.app import Chalice, SQSEventConfig
from chalice.utils import to_cfn_resource_name

from chalicelib.core import permissions, resources
from chalicelib.core.resources import Bucket, Queue, Table
from sapa_cli.gateway_responses import ANSWERS, GatewayAnswer
from sapa_cli.stage_settings import StageSettings

ALERTS_TOPIC = "Alerts"
REST_API = "RestAPI"  # the logical id `chalice package` gives the API
EMAIL_EVENTS_TOPIC = "EmailEventsTopic"
CONFIGURATION_SET = "EmailConfigurationSet"

Template = dict[str, Any]


def logical_id(kind: str, name: str) -> str:
    return to_cfn_resource_name(name) + kind


def _table(stage: str, table: Table) -> Template:
    definitions = [
        {"AttributeName": name, "AttributeType": table.attribute_type(name)} for name in table.key_attributes()
    ]
    key_schema = [{"AttributeName": table.hash_key, "KeyType": "HASH"}]
    if table.range_key:
        key_schema.append({"AttributeName": table.range_key, "KeyType": "RANGE"})
    properties: Template = {
        "TableName": resources.table_name(stage, table.logical),
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": definitions,
        "KeySchema": key_schema,
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
        "Tags": [{"Key": "app", "Value": "sapa"}, {"Key": "stage", "Value": stage}],
    }
    if table.indexes:
        properties["GlobalSecondaryIndexes"] = [gsi_spec(index) for index in table.indexes]
    if table.ttl_attribute:
        properties["TimeToLiveSpecification"] = {"AttributeName": table.ttl_attribute, "Enabled": True}
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": properties,
    }


def gsi_spec(index: resources.Index) -> Template:
    """One GSI in the shape both CloudFormation and the DynamoDB API accept."""
    key_schema = [{"AttributeName": index.hash_key, "KeyType": "HASH"}]
    if index.range_key:
        key_schema.append({"AttributeName": index.range_key, "KeyType": "RANGE"})
    if isinstance(index.projection, tuple):
        projection: Template = {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(index.projection)}
    else:
        projection = {"ProjectionType": index.projection}
    return {"IndexName": index.name, "KeySchema": key_schema, "Projection": projection}


def _queues(stage: str, queue: Queue) -> Template:
    dlq_id = logical_id("Queue", queue.dlq_logical)
    queue_id = logical_id("Queue", queue.logical)
    return {
        dlq_id: {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": resources.queue_name(stage, queue.dlq_logical),
                "MessageRetentionPeriod": queue.dlq_retention_seconds,
                "SqsManagedSseEnabled": True,
            },
        },
        queue_id: {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": resources.queue_name(stage, queue.logical),
                "VisibilityTimeout": queue.visibility_timeout,
                "MessageRetentionPeriod": queue.retention_seconds,
                "SqsManagedSseEnabled": True,
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
                    "maxReceiveCount": queue.max_receive_count,
                },
            },
        },
        logical_id("Alarm", queue.dlq_logical): {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmName": f"{resources.prefix(stage)}-{queue.dlq_logical}-not-empty",
                "AlarmDescription": f"Messages Sapa gave up on are waiting in {queue.dlq_logical}: {queue.purpose}",
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}],
                "Statistic": "Maximum",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": queue.dlq_alarm_threshold,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "TreatMissingData": "notBreaching",
                "AlarmActions": [{"Ref": ALERTS_TOPIC}],
            },
        },
    }


def _bucket(stage: str, bucket: Bucket) -> Template:
    return {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "BucketName": {"Fn::Sub": f"{resources.prefix(stage)}-{bucket.logical}-${{AWS::AccountId}}"},
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "LifecycleConfiguration": {
                "Rules": [{"Id": "expire", "Status": "Enabled", "ExpirationInDays": bucket.expire_days}]
            },
        },
    }


def _email_events(stage: str) -> Template:
    queue_id = logical_id("Queue", "email-events")
    return {
        EMAIL_EVENTS_TOPIC: {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": resources.topic_name(stage, resources.EMAIL_EVENTS_TOPIC)},
        },
        "EmailEventsSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": {"Ref": EMAIL_EVENTS_TOPIC},
                "Protocol": "sqs",
                "Endpoint": {"Fn::GetAtt": [queue_id, "Arn"]},
                "RawMessageDelivery": True,
            },
        },
        "EmailEventsQueuePolicy": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {
                "Queues": [{"Ref": queue_id}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "sns.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": {"Fn::GetAtt": [queue_id, "Arn"]},
                            "Condition": {"ArnEquals": {"aws:SourceArn": {"Ref": EMAIL_EVENTS_TOPIC}}},
                        }
                    ],
                },
            },
        },
        CONFIGURATION_SET: {
            "Type": "AWS::SES::ConfigurationSet",
            "Properties": {"Name": resources.configuration_set_name(stage)},
        },
        "EmailConfigurationSetDestination": {
            "Type": "AWS::SES::ConfigurationSetEventDestination",
            "Properties": {
                "ConfigurationSetName": {"Ref": CONFIGURATION_SET},
                "EventDestination": {
                    "Name": "to-sns",
                    "Enabled": True,
                    "MatchingEventTypes": ["send", "delivery", "bounce", "complaint", "reject", "open", "click"],
                    "SnsDestination": {"TopicARN": {"Ref": EMAIL_EVENTS_TOPIC}},
                },
            },
        },
    }


def _arn(service: str, resource: str) -> dict[str, str]:
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"}


# Table uses (chalicelib.core.permissions) and the IAM actions each one is.
TABLE_ACTIONS: dict[str, tuple[str, ...]] = {
    "get": ("dynamodb:GetItem",),
    "batch-get": ("dynamodb:BatchGetItem",),
    "query": ("dynamodb:Query",),
    "scan": ("dynamodb:Scan",),
    "put": ("dynamodb:PutItem",),
    "update": ("dynamodb:UpdateItem",),
    "delete": ("dynamodb:DeleteItem",),
    "describe": ("dynamodb:DescribeTable",),
}
QUEUE_ACTIONS: dict[str, tuple[str, ...]] = {
    "send": ("sqs:SendMessage", "sqs:GetQueueUrl"),
    "url": ("sqs:GetQueueUrl",),
    "depth": ("sqs:GetQueueAttributes",),
    "visibility": ("sqs:ChangeMessageVisibility",),
}
# What Lambda's event source mapping does with the consumer's role.
CONSUME_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
PAYLOAD_ACTIONS = {"put": "s3:PutObject", "get": "s3:GetObject", "delete": "s3:DeleteObject"}
# Every way to change an item that exists; PutItem stays allowed (appending) for the roles that write the log.
AUDIT_TAMPERING = ("dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")


def function_name(stage: str, name: str) -> str:
    """A fixed name (not CloudFormation's random one), so each role can be limited to its own log group."""
    return f"{resources.prefix(stage)}-{name}"


def _sid(*parts: str) -> str:
    """A readable statement id (IAM allows only letters and digits): "TableConsentSuppressed"."""
    return "".join(part.title() for chunk in parts for part in chunk.replace("-", " ").replace("_", " ").split())


def _table_statements(access: permissions.TableAccess) -> list[Template]:
    """Item actions on the table (limited to its partitions if declared), and Query on the indexes named."""
    table_id = logical_id("Table", access.table)
    item_actions = sorted({a for use in access.use_set if use in TABLE_ACTIONS for a in TABLE_ACTIONS[use]})
    condition: Template = {}
    if access.partitions:
        condition = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": list(access.partitions)}}
    labels = [re.sub(r"[^A-Za-z0-9]+", " ", pattern) for pattern in access.partitions]
    statements: list[Template] = []
    if item_actions:
        statement: Template = {
            "Sid": _sid("Table", access.table, *labels),
            "Effect": "Allow",
            "Action": item_actions,
            "Resource": {"Fn::GetAtt": [table_id, "Arn"]},
        }
        if condition:
            statement["Condition"] = condition
        statements.append(statement)
    if access.indexes:
        statements.append(
            {
                "Sid": _sid("Table", access.table, "Indexes"),
                "Effect": "Allow",
                "Action": ["dynamodb:Query"],
                "Resource": [{"Fn::Sub": f"${{{table_id}.Arn}}/index/{index}"} for index in access.indexes],
            }
        )
    return statements


def role_policy(settings: StageSettings, function: str, consumes: str | None = None) -> Template:
    """The function's declared needs (chalicelib.core.permissions), on exactly Sapa's resources, and no more.

    `consumes` is the queue whose event source mapping invokes the function. Every role also carries an
    explicit Deny on changing or deleting audit entries, so no later Allow can open the audit log.
    """
    stage = settings.stage
    need = permissions.needs(function)
    log_group = f"log-group:/aws/lambda/{function_name(stage, function)}"
    statements: list[Template] = [
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [_arn("logs", log_group), _arn("logs", f"{log_group}:*")],
        },
        {
            "Sid": "Tracing",
            "Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": "*",
        },
    ]
    for access in need.tables:
        statements.extend(_table_statements(access))
    statements.append(
        {
            "Sid": "AuditLogIsAppendOnly",
            "Effect": "Deny",
            "Action": list(AUDIT_TAMPERING),
            "Resource": {"Fn::GetAtt": [logical_id("Table", "access"), "Arn"]},
            "Condition": {"ForAnyValue:StringEquals": {"dynamodb:LeadingKeys": [permissions.AUDIT_PARTITION]}},
        }
    )
    queue_uses = {q: set(uses.split()) for q, uses in need.queues.items()}
    for queue in resources.QUEUES:
        actions = {a for use in queue_uses.get(queue.logical, ()) for a in QUEUE_ACTIONS[use]}
        if queue.logical == consumes:
            actions.update(CONSUME_ACTIONS)
        if actions:
            statements.append(
                {
                    "Sid": _sid("Queue", queue.logical),
                    "Effect": "Allow",
                    "Action": sorted(actions),
                    "Resource": {"Fn::GetAtt": [logical_id("Queue", queue.logical), "Arn"]},
                }
            )
    if need.payloads:
        statements.append(
            {
                "Sid": "LargePayloads",
                "Effect": "Allow",
                "Action": sorted(PAYLOAD_ACTIONS[use] for use in need.payloads.split()),
                "Resource": [{"Fn::Sub": f"${{{logical_id('Bucket', b.logical)}.Arn}}/*"} for b in resources.BUCKETS],
            }
        )
    if need.email:
        statements.append(
            {
                "Sid": "Email",
                "Effect": "Allow",
                "Action": ["ses:SendEmail"],
                "Resource": [
                    _arn("ses", f"identity/{settings.email_sender}"),
                    _arn("ses", f"identity/{settings.sender_domain}"),
                    _arn("ses", f"configuration-set/{resources.configuration_set_name(stage)}"),
                ],
            }
        )
    if need.staff_pool:
        statements.append(
            {
                "Sid": "StaffPool",
                "Effect": "Allow",
                "Action": sorted(f"cognito-idp:{action}" for action in need.staff_pool.split()),
                "Resource": {"Fn::GetAtt": [STAFF_POOL, "Arn"]},
            }
        )
    if need.sockets:
        statements.append(
            {
                "Sid": "WebChatSockets",
                "Effect": "Allow",
                "Action": ["execute-api:ManageConnections"],
                "Resource": {
                    "Fn::Sub": f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:"
                    f"${{{WEBSOCKET_API}}}/{WEBSOCKET_STAGE}/*/@connections/*"
                },
            }
        )
    if need.secrets:
        statements.append(
            {
                "Sid": "Secrets",
                "Effect": "Allow",
                "Action": ["ssm:GetParameter", "ssm:GetParameters"],  # one at a time; all at once at cold start
                "Resource": [_arn("ssm", f"parameter/sapa/{stage}/{name}") for name in need.secrets],
            }
        )
        statements.append(
            {
                "Sid": "DecryptSecrets",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": _arn("kms", "key/*"),
                "Condition": {"StringEquals": {"kms:ViaService": {"Fn::Sub": "ssm.${AWS::Region}.amazonaws.com"}}},
            }
        )
    return {
        "Policies": [
            {
                "PolicyName": "SapaLeastPrivilege",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
            }
        ]
    }


def consumed_queue(app: Chalice, function: str) -> str | None:
    """The queue whose messages invoke `function`, if it is an SQS consumer."""
    if any(isinstance(s, SQSEventConfig) and s.name == function for s in app.event_sources):
        return resources.queue_for_consumer(function).logical
    return None


WEBSOCKET_API = "WebsocketAPI"
WEBSOCKET_STAGE = "api"  # the stage `chalice package` gives the WebSocket API (its api_gateway_stage)
WEBSOCKET_FUNCTIONS = {
    "$connect": "websocket_connect",
    "$default": "websocket_message",
    "$disconnect": "websocket_disconnect",
}
"""Chalice's names for the WebSocket API's functions, by route (the handlers' own names do not count)."""


def lambda_names(app: Chalice) -> list[str]:
    """Chalice's names of every Lambda function the app defines."""
    names = ["api_handler"] if app.routes else []
    names.extend(auth.name for auth in app.builtin_auth_handlers)
    names.extend(source.name for source in app.event_sources)
    names.extend(function.name for function in app.pure_lambda_functions)
    names.extend(WEBSOCKET_FUNCTIONS[route] for route in app.websocket_handlers if route in WEBSOCKET_FUNCTIONS)
    return names


def function_id(name: str) -> str:
    return "APIHandler" if name == "api_handler" else to_cfn_resource_name(name)


def role_id(name: str) -> str:
    """Chalice gives each function its own role when the policy is ours (autogen_policy: false)."""
    return to_cfn_resource_name(f"{name}_role")


def _event_source_overrides(app: Chalice) -> Template:
    overrides: Template = {}
    for source in app.event_sources:
        if not isinstance(source, SQSEventConfig):
            continue
        queue = resources.queue_for_consumer(source.name)
        function_id = to_cfn_resource_name(source.name)
        event_id = to_cfn_resource_name(f"{source.name}-sqs-event-source")
        overrides[function_id] = {
            # Chalice's Fn::Sub ARN names the same queue; DependsOn makes the mapping wait for it.
            "DependsOn": [logical_id("Queue", queue.logical)],
            "Properties": {
                "Events": {event_id: {"Properties": {"FunctionResponseTypes": ["ReportBatchItemFailures"]}}}
            },
        }
    return overrides


def gateway_response(answer: GatewayAnswer) -> Template:
    properties: Template = {
        "RestApiId": {"Ref": REST_API},
        "ResponseType": answer.response_type,
        "ResponseTemplates": {"application/json": answer.template()},
        "ResponseParameters": {
            "gatewayresponse.header.Content-Type": "'application/json'",
            "gatewayresponse.header.X-Content-Type-Options": "'nosniff'",
        },
    }
    if answer.status is not None:
        properties["StatusCode"] = str(answer.status)
    return {"Type": "AWS::ApiGateway::GatewayResponse", "Properties": properties}


def gateway_response_id(answer: GatewayAnswer) -> str:
    return "GatewayResponse" + "".join(part.title() for part in answer.response_type.split("_"))


STAFF_POOL = "StaffUserPool"
STAFF_POOL_CLIENT = "StaffConsoleClient"


def _staff_pool(stage: str) -> Template:
    """The staff's Cognito user pool (admins create users; no self sign-up), the console's client, a group per role."""
    from chalicelib.access.cognito import ACCESS_TOKEN_MINUTES, CLIENT_FLOWS, CLIENT_NAME, PASSWORD_POLICY, POOL_NAME
    from chalicelib.access.roles import Role

    template: Template = {
        STAFF_POOL: {
            "Type": "AWS::Cognito::UserPool",
            "DeletionPolicy": "Retain",
            "Properties": {
                "UserPoolName": POOL_NAME.format(stage=stage),
                "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
                "Policies": {"PasswordPolicy": PASSWORD_POLICY},
                "Schema": [{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
                "UserPoolAddOns": {"AdvancedSecurityMode": "OFF"},
                "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]},
            },
        },
        STAFF_POOL_CLIENT: {
            "Type": "AWS::Cognito::UserPoolClient",
            "Properties": {
                "UserPoolId": {"Ref": STAFF_POOL},
                "ClientName": CLIENT_NAME.format(stage=stage),
                "GenerateSecret": False,
                "ExplicitAuthFlows": CLIENT_FLOWS,
                "AccessTokenValidity": ACCESS_TOKEN_MINUTES,
                "TokenValidityUnits": {"AccessToken": "minutes"},
                "PreventUserExistenceErrors": "ENABLED",
                "EnableTokenRevocation": True,
            },
        },
    }
    for role in Role:
        template[f"StaffGroup{role.value.title()}"] = {
            "Type": "AWS::Cognito::UserPoolGroup",
            "Properties": {"UserPoolId": {"Ref": STAFF_POOL}, "GroupName": role.value},
        }
    return template


def _socket_urls(app: Chalice) -> Template:
    """The WebSocket API's URLs: the widget connects to the wss:// one, replies are posted to the https:// one."""
    if not app.websocket_handlers:
        return {}
    host = f"${{{WEBSOCKET_API}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{WEBSOCKET_STAGE}"
    return {
        "SAPA_WEBCHAT_SOCKET_URL": {"Fn::Sub": f"wss://{host}"},
        "SAPA_WEBCHAT_PUSH_URL": {"Fn::Sub": f"https://{host}"},
    }


def merge_template(settings: StageSettings, app: Chalice) -> Template:
    stage = settings.stage
    template_resources: Template = {
        ALERTS_TOPIC: {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": f"{resources.prefix(stage)}-alerts"},
        },
    }
    for table in resources.TABLES:
        template_resources[logical_id("Table", table.logical)] = _table(stage, table)
    for queue in resources.QUEUES:
        template_resources.update(_queues(stage, queue))
    for bucket in resources.BUCKETS:
        template_resources[logical_id("Bucket", bucket.logical)] = _bucket(stage, bucket)
    template_resources.update(_email_events(stage))
    template_resources.update(_staff_pool(stage))
    for answer in ANSWERS:
        template_resources[gateway_response_id(answer)] = gateway_response(answer)

    bucket_ref = {"Ref": logical_id("Bucket", resources.BUCKETS[0].logical)}
    for name in lambda_names(app):
        entry = template_resources.setdefault(function_id(name), {})
        properties = entry.setdefault("Properties", {})
        properties["FunctionName"] = function_name(stage, name)
        properties["Environment"] = {
            "Variables": {
                "SAPA_PAYLOAD_BUCKET": bucket_ref,
                "SAPA_COGNITO_USER_POOL_ID": {"Ref": STAFF_POOL},
                "SAPA_COGNITO_CLIENT_ID": {"Ref": STAFF_POOL_CLIENT},
                **_socket_urls(app),
                **settings.environment(),
            }
        }
        template_resources[role_id(name)] = {"Properties": role_policy(settings, name, consumed_queue(app, name))}
    for resource_id, override in _event_source_overrides(app).items():
        entry = template_resources.setdefault(resource_id, {})
        entry["DependsOn"] = override["DependsOn"]
        entry.setdefault("Properties", {}).update(override["Properties"])

    return {
        "Outputs": {
            "AlertsTopicArn": {"Value": {"Ref": ALERTS_TOPIC}},
            "EmailEventsTopicArn": {"Value": {"Ref": EMAIL_EVENTS_TOPIC}},
        },
        "Resources": template_resources,
    }

"""Create Sapa's resources on any AWS endpoint from the one declaration.

Used by `sapa bootstrap` (a local moto server or a sandbox account) and by
the test fixtures under moto's `mock_aws`. Safe to run twice: what exists is
left as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core import resources
from chalicelib.core.aws import AwsClients
from chalicelib.core.settings import Settings
from sapa_cli.cfn import gsi_spec

DEFAULT_SENDER = "halo@sapa.example"


@dataclass
class BootstrapReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    staff_pool: dict[str, str] = field(default_factory=dict)
    """SAPA_COGNITO_USER_POOL_ID and SAPA_COGNITO_CLIENT_ID, for the processes the local stack starts."""


def _exists(error: ClientError, *codes: str) -> bool:
    return error.response.get("Error", {}).get("Code") in codes


def create_table(aws: AwsClients, name: str, table: resources.Table) -> bool:
    key_schema = [{"AttributeName": table.hash_key, "KeyType": "HASH"}]
    if table.range_key:
        key_schema.append({"AttributeName": table.range_key, "KeyType": "RANGE"})
    kwargs: dict[str, Any] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": key_schema,
        "AttributeDefinitions": [
            {"AttributeName": attr, "AttributeType": table.attribute_type(attr)} for attr in table.key_attributes()
        ],
        "SSESpecification": {"Enabled": True},
    }
    if table.indexes:
        kwargs["GlobalSecondaryIndexes"] = [gsi_spec(index) for index in table.indexes]
    try:
        aws.dynamodb.create_table(**kwargs)
    except ClientError as error:
        if _exists(error, "ResourceInUseException"):
            return False
        raise
    aws.dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    if table.ttl_attribute:
        aws.dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute}
        )
    return True


def create_queue(aws: AwsClients, settings: Settings, queue: resources.Queue) -> tuple[str, str]:
    dlq_url = aws.sqs.create_queue(
        QueueName=settings.queue_name(queue.dlq_logical),
        Attributes={"MessageRetentionPeriod": str(queue.dlq_retention_seconds)},
    )["QueueUrl"]
    dlq_arn = aws.sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = aws.sqs.create_queue(
        QueueName=settings.queue_name(queue.logical),
        Attributes={
            "VisibilityTimeout": str(queue.visibility_timeout),
            "MessageRetentionPeriod": str(queue.retention_seconds),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": queue.max_receive_count}),
        },
    )["QueueUrl"]
    return url, dlq_url


def _email(aws: AwsClients, settings: Settings, report: BootstrapReport) -> None:
    """SES sender identity and the delivery-event path SES → SNS → SQS."""
    topic_name = resources.topic_name(settings.stage, resources.EMAIL_EVENTS_TOPIC)
    topic_arn = aws.client("sns").create_topic(Name=topic_name)["TopicArn"]
    queue_url = aws.sqs.get_queue_url(QueueName=settings.queue_name("email-events"))["QueueUrl"]
    queue_arn = aws.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.client("sns").subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    # SES v1 calls: the same account-level resources as SESv2, and the ones moto implements.
    ses = aws.client("ses")
    sender = settings.options.email_sender or DEFAULT_SENDER
    ses.verify_email_identity(EmailAddress=sender)
    report.created.append(f"ses-identity:{sender}")
    config_set = resources.configuration_set_name(settings.stage)
    try:
        ses.create_configuration_set(ConfigurationSet={"Name": config_set})
    except ClientError as error:
        if not _exists(error, "ConfigurationSetAlreadyExists", "AlreadyExistsException"):
            raise
        report.existing.append(f"ses-configuration-set:{config_set}")
        return
    ses.create_configuration_set_event_destination(
        ConfigurationSetName=config_set,
        EventDestination={
            "Name": "to-sns",
            "Enabled": True,
            "MatchingEventTypes": ["send", "delivery", "bounce", "complaint", "reject"],
            "SNSDestination": {"TopicARN": topic_arn},
        },
    )
    report.created.append(f"ses-configuration-set:{config_set}")


def _staff_pool(aws: AwsClients, settings: Settings, report: BootstrapReport) -> None:
    """The staff's Cognito user pool, its console app client and one group per role (as the template has)."""
    from chalicelib.access.cognito import ACCESS_TOKEN_MINUTES, CLIENT_FLOWS, CLIENT_NAME, PASSWORD_POLICY, POOL_NAME
    from chalicelib.access.roles import Role

    cognito = aws.client("cognito-idp")
    pool_name = POOL_NAME.format(stage=settings.stage)
    pools = [p for p in cognito.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == pool_name]
    if pools:
        report.existing.append(f"user-pool:{pool_name}")
        pool_id = pools[0]["Id"]
        clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
        client_id = next(c["ClientId"] for c in clients if c["ClientName"] == CLIENT_NAME.format(stage=settings.stage))
        report.staff_pool = {"SAPA_COGNITO_USER_POOL_ID": pool_id, "SAPA_COGNITO_CLIENT_ID": client_id}
        return
    pool_id = cognito.create_user_pool(
        PoolName=pool_name,
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
    )["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=CLIENT_NAME.format(stage=settings.stage),
        GenerateSecret=False,
        ExplicitAuthFlows=CLIENT_FLOWS,
        AccessTokenValidity=ACCESS_TOKEN_MINUTES,
        TokenValidityUnits={"AccessToken": "minutes"},
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    report.staff_pool = {"SAPA_COGNITO_USER_POOL_ID": pool_id, "SAPA_COGNITO_CLIENT_ID": client_id}
    for role in Role:
        cognito.create_group(UserPoolId=pool_id, GroupName=role.value, Description=f"Sapa role {role.value}")
    report.created.append(f"user-pool:{pool_name}")


def bootstrap(settings: Settings, aws: AwsClients) -> BootstrapReport:
    report = BootstrapReport()
    for table in resources.TABLES:
        name = settings.table_name(table.logical)
        (report.created if create_table(aws, name, table) else report.existing).append(f"table:{name}")
    for queue in resources.QUEUES:
        create_queue(aws, settings, queue)
        report.created.append(f"queue:{settings.queue_name(queue.logical)}")
    bucket: dict[str, Any] = {"Bucket": settings.payload_bucket}
    region = aws.session.region_name
    if region and region != "us-east-1":
        bucket["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        aws.client("s3").create_bucket(**bucket)
        report.created.append(f"bucket:{settings.payload_bucket}")
    except ClientError as error:
        if not _exists(error, "BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
        report.existing.append(f"bucket:{settings.payload_bucket}")
    _email(aws, settings, report)
    _staff_pool(aws, settings, report)
    return report

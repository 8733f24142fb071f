"""moto_server with the few things the workshop's stacks need that moto 5.2 lacks.

The deploy rehearsal (test/stacks/deploy-rehearsal.test.ts) runs the project's own
`npm run deploy` and `npm run destroy` with the real Terraform and the real hashicorp/aws
provider against this server. moto implements most of what the stacks create (VPC, subnets,
security groups, endpoints, IAM, Lambda functions, SQS, SNS, S3, log groups, dashboards). Each
patch below fills one gap, says what real AWS does instead, and is listed in README's
"What the rehearsal proves" table:

1. MSK clusters: moto leaves a new cluster CREATING forever, so Terraform's create waiter never
   returns, and answers DescribeClusterV2 on a deleted cluster with a server error, so its delete
   waiter never returns either. Real MSK takes 10-20 minutes to reach ACTIVE and answers
   NotFoundException once a cluster is gone; here a cluster is ACTIVE at once, with the ARN shape
   MSK gives (cluster/<name>/<uuid>), which the stacks' topic ARNs are built from.
2. GetBootstrapBrokers: not in moto. Real MSK returns the broker endpoints per authentication
   kind; here a cluster returns the SASL/IAM string (port 9098) in MSK's format for its kind.
3. Kafka event source mappings: moto accepts only SQS, DynamoDB and Kinesis sources. Real Lambda
   takes an MSK cluster ARN with Topics and reports State and LastProcessingResult once its
   pollers have reached the brokers; here the mapping is Enabled at once and, like every mapping
   here (moto reports none), reports OK (or the PROBLEM a rehearsal asks for, to test the
   deploy's readiness check).
4. Invoke without Docker: moto runs a function's code in Docker. The base stack invokes the
   topic-admin function once per topic (aws_lambda_invocation); here the invocation's payload is
   written to invocations.jsonl, so the rehearsal can check what the deploy asked for, and the
   reply is what handlers/topic-admin.ts returns after creating a topic. No topic is created:
   there is no broker behind the fake cluster.
5. GetAccountSettings: not in moto. Real Lambda reports the account's concurrency quota (1,000 by
   default); here the quota is 1,000 minus the functions' reserved concurrency.
6. SQS RedriveAllowPolicy: moto stores it but GetQueueAttributes refuses the name, so Terraform's
   aws_sqs_queue_redrive_allow_policy cannot read it back. Real SQS returns it.

Faults: a rehearsal writes faults.json in $REHEARSAL_DIR; each request reads it again.
  {"failCreateMapping": ["<function name>"], "mappingProblem": {"<function name>": "PROBLEM: ..."}}
  failCreateMapping: CreateEventSourceMapping for that function fails (an apply that stops half-way).
  mappingProblem: the mapping's LastProcessingResult (a readiness check that fails).

Usage: python moto-rehearsal.py <port>   (binds 127.0.0.1 only)
"""

import json
import os
import sys
import uuid

from moto.awslambda import models as lambda_models
from moto.awslambda import responses as lambda_responses
from moto.awslambda import urls as lambda_urls
from moto.core.exceptions import JsonRESTError
from moto.kafka import models as kafka_models
from moto.kafka import responses as kafka_responses
from moto.kafka import urls as kafka_urls
from moto.kafka.exceptions import NotFoundException
from moto.sqs import models as sqs_models

REHEARSAL_DIR = os.environ.get("REHEARSAL_DIR", ".")


def faults():
    try:
        with open(os.path.join(REHEARSAL_DIR, "faults.json")) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


# 1. MSK: ACTIVE at once, with MSK's ARN shape.
_original_cluster_init = kafka_models.FakeKafkaCluster.__init__


def _cluster_init(self, *args, **kwargs):
    kwargs["state"] = "ACTIVE"
    _original_cluster_init(self, *args, **kwargs)
    self.state = "ACTIVE"
    self.arn = f"arn:aws:kafka:{self.region_name}:{self.account_id}:cluster/{self.cluster_name}/{self.cluster_id}-s1"


kafka_models.FakeKafkaCluster.__init__ = _cluster_init
_original_create_cluster_v2 = kafka_models.KafkaBackend.create_cluster_v2


def _create_cluster_v2(self, *args, **kwargs):
    result = _original_create_cluster_v2(self, *args, **kwargs)
    for cluster in self.clusters.values():
        cluster.state = "ACTIVE"
    return result


kafka_models.KafkaBackend.create_cluster_v2 = _create_cluster_v2
_original_describe_cluster_v2 = kafka_models.KafkaBackend.describe_cluster_v2


def _describe_cluster_v2(self, cluster_arn):
    if cluster_arn not in self.clusters:
        raise NotFoundException(f"Cluster {cluster_arn} does not exist")
    return _original_describe_cluster_v2(self, cluster_arn)


kafka_models.KafkaBackend.describe_cluster_v2 = _describe_cluster_v2


# 2. GetBootstrapBrokers.
def _bootstrap_brokers(self):
    arn = self.parsed_url.path.split("/clusters/")[-1].rsplit("/bootstrap-brokers", 1)[0]
    from urllib.parse import unquote

    cluster = self.kafka_backend.clusters.get(unquote(arn))
    if cluster is None:
        raise JsonRESTError("NotFoundException", f"Cluster {unquote(arn)} not found")
    suffix = f"{cluster.region_name}.amazonaws.com"
    if cluster.cluster_type == "SERVERLESS":
        brokers = f"boot-{cluster.cluster_id[:8]}.c1.kafka-serverless.{suffix}:9098"
    else:
        count = cluster.number_of_broker_nodes or 3
        brokers = ",".join(f"b-{i}.{cluster.cluster_name}.{cluster.cluster_id[:6]}.c1.kafka.{suffix}:9098" for i in range(1, count + 1))
    return json.dumps({"bootstrapBrokerStringSaslIam": brokers})


kafka_responses.KafkaResponse.get_bootstrap_brokers = _bootstrap_brokers
kafka_urls.url_paths["{0}/v1/clusters/(?P<clusterArn>.+)/bootstrap-brokers$"] = kafka_responses.KafkaResponse.dispatch


# 3. Kafka event source mappings.
_original_source_setter = lambda_models.EventSourceMapping.event_source_arn.fset


def _source_setter(self, arn):
    if arn.split(":")[2] == "kafka":
        self._event_source_arn = arn
        return
    _original_source_setter(self, arn)


_original_batch_setter = lambda_models.EventSourceMapping.batch_size.fset


def _batch_setter(self, size):
    if self._get_service_source_from_arn() == "kafka":
        # Lambda's range for MSK: 1-10,000, default 100.
        self._batch_size = 100 if size is None else int(size)
        return
    _original_batch_setter(self, size)


lambda_models.EventSourceMapping.event_source_arn = property(lambda_models.EventSourceMapping.event_source_arn.fget, _source_setter)
lambda_models.EventSourceMapping.batch_size = property(lambda_models.EventSourceMapping.batch_size.fget, _batch_setter)

_original_create_mapping = lambda_models.LambdaBackend.create_event_source_mapping


def _create_mapping(self, spec):
    source = spec.get("EventSourceArn", "")
    function = self._lambdas.get_function_by_name_or_arn_with_qualifier(spec.get("FunctionName", ""))
    if function.function_name in faults().get("failCreateMapping", []):
        raise JsonRESTError("InvalidParameterValueException", f"Rehearsal fault: CreateEventSourceMapping refused for {function.function_name}")
    if source.split(":")[2] != "kafka":
        return _original_create_mapping(self, spec)
    clusters = kafka_models.kafka_backends[self.account_id][self.region_name].clusters
    if source not in clusters:
        raise JsonRESTError("InvalidParameterValueException", f"Cluster {source} does not exist")
    spec.update({"RegionName": self.region_name, "AccountId": self.account_id, "FunctionArn": function.function_arn})
    esm = lambda_models.EventSourceMapping(spec)
    self._event_source_mappings[esm.uuid] = esm
    return esm


lambda_models.LambdaBackend.create_event_source_mapping = _create_mapping
_original_configuration = lambda_models.EventSourceMapping.get_configuration


def _configuration(self):
    config = _original_configuration(self)
    # moto reports no processing result; a healthy mapping on AWS reports OK once its pollers have
    # invoked the function (an idle one, "No records processed": the deploy then watches it for 2
    # minutes before trusting it, which the rehearsal has no reason to wait for).
    function_name = self.function_arn.split(":")[6]
    config["LastProcessingResult"] = faults().get("mappingProblem", {}).get(function_name, "OK")
    if self._get_service_source_from_arn() == "kafka":
        config["StateTransitionReason"] = "USER_INITIATED"
    if getattr(self, "logging_config", None):
        config["LoggingConfig"] = self.logging_config
    return config


lambda_models.EventSourceMapping.get_configuration = _configuration

_original_update_mapping = lambda_models.LambdaBackend.update_event_source_mapping


def _update_mapping(self, uuid_, spec):
    esm = _original_update_mapping(self, uuid_, spec)
    # moto drops what it does not know; LoggingConfig is what the deploy sets after apply.
    if esm is not None and "LoggingConfig" in spec:
        esm.logging_config = spec["LoggingConfig"]
    updates_file = os.path.join(REHEARSAL_DIR, "mapping-updates.jsonl")
    with open(updates_file, "a") as f:
        f.write(json.dumps({"UUID": uuid_, **spec}) + "\n")
    return esm


lambda_models.LambdaBackend.update_event_source_mapping = _update_mapping


# 4. Invoke without Docker: record the payload, answer as topic-admin does.
def _invoke(self, body, request_headers, response_headers):
    event = json.loads(body) if body else {}
    with open(os.path.join(REHEARSAL_DIR, "invocations.jsonl"), "a") as f:
        f.write(json.dumps({"function": self.function_name, "payload": event}) + "\n")
    if isinstance(event, dict) and "topic" in event and "partitions" in event:
        return json.dumps({"topic": event["topic"], "partitions": event["partitions"], "created": True}).encode()
    return json.dumps({}).encode()


lambda_models.LambdaFunction.invoke = _invoke


# 5. GetAccountSettings.
def _account_settings(self):
    functions = list(self.backend._lambdas.all())
    reserved = sum(int(getattr(f, "reserved_concurrency", None) or 0) for f in functions)
    limit = 1000
    return json.dumps({
        "AccountLimit": {
            "ConcurrentExecutions": limit,
            "UnreservedConcurrentExecutions": limit - reserved,
            "CodeSizeUnzipped": 262144000,
            "CodeSizeZipped": 52428800,
            "TotalCodeSize": 80530636800,
        },
        "AccountUsage": {"FunctionCount": len(functions), "TotalCodeSize": 0},
    })


lambda_responses.LambdaResponse.get_account_settings = _account_settings
lambda_urls.url_paths[r"{0}/(?P<api_version>[^/]+)/account-settings/?$"] = lambda_responses.LambdaResponse.dispatch


# 6. SQS RedriveAllowPolicy in GetQueueAttributes.
sqs_models.Queue.BASE_ATTRIBUTES.append("RedriveAllowPolicy")
sqs_models.Queue.redrive_allow_policy = None
_original_queue_attributes = sqs_models.Queue.attributes.fget


def _queue_attributes(self):
    result = _original_queue_attributes(self)
    # Removing it (on destroy) sets it to "": real SQS then leaves it out, as Terraform waits for.
    if not result.get("RedriveAllowPolicy"):
        result.pop("RedriveAllowPolicy", None)
    return result


sqs_models.Queue.attributes = property(_queue_attributes)


if __name__ == "__main__":
    from moto.server import main

    main(["-H", "127.0.0.1", "-p", sys.argv[1]])

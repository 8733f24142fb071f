// Whose deployment this is: WORKSHOP_PREFIX begins every AWS resource name the stacks create, so
// two learners sharing one AWS account each deploy their own stacks side by side. Each learner
// deploys their own base stack, so their own MSK cluster: Kafka topics and consumer groups never
// meet. What two learners share is the account's names (functions, roles, queues, buckets, log
// groups, the dashboard, the cluster's name) and its CloudWatch metrics, hence a prefix on the
// first and a namespace per prefix on the second.
//
// The prefix's form is the tightest of the places it goes (AWS's rules):
// - S3 bucket names: lowercase letters, digits, dots and hyphens
//   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html);
// - CloudWatch dashboard, SQS queue, SNS topic, IAM role, Lambda function and MSK cluster names:
//   letters, digits and hyphens among others (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html,
//   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html,
//   https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html,
//   https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html);
// - no hyphen of its own: the dashboard finds the participant's Lambda metrics with the prefix as
//   a search term, and search terms also match partially
//   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html);
//   a prefix that is one word of each name keeps "ana-b"'s search from being two words, "ana"
//   and "b", that find everyone's functions. The page does not say how far partial matching goes,
//   so the dashboard's two Lambda graphs (offset lag, concurrency) may still show the functions of
//   a participant whose prefix begins with yours (ana, anab): choose prefixes that do not. The
//   workshop's own graphs and the AWS target read exact namespaces and function names.
// The length keeps the longest shipped name (<prefix>-04-best-practices-booking-processor, also
// its IAM role's name) within Lambda's and IAM's 64 characters, with room for a learner's longer
// queue or topic names.
import { DEFAULT_METRICS_NAMESPACE } from '../handlers/shared/telemetry.ts';
import { WorkshopError } from './workshop-error.ts';

/** The environment variable a learner sets to choose their prefix. */
export const PREFIX_VARIABLE = 'WORKSHOP_PREFIX';
/** "kafka lambda workshop": the prefix of a learner who has the account to themselves. */
export const DEFAULT_PREFIX = 'klw';
export const MAX_PREFIX_LENGTH = 16;
const PREFIX_FORM = new RegExp(`^[a-z][a-z0-9]{0,${MAX_PREFIX_LENGTH - 1}}$`);

/** The prefix's form as the refusal states it. */
const PREFIX_RULE = `1..${MAX_PREFIX_LENGTH} lowercase letters and digits, starting with a letter`;

/** `prefix` if AWS accepts it in every name it begins, else a WorkshopError saying the form and the fix. */
export function checkParticipantPrefix(prefix: string): string {
  if (!PREFIX_FORM.test(prefix)) {
    throw new WorkshopError(
      `${PREFIX_VARIABLE}=${JSON.stringify(prefix)} cannot begin AWS resource names: use ${PREFIX_RULE} (S3 bucket names allow no capitals, and a hyphen would let the dashboard mix in another participant's functions), e.g. ${PREFIX_VARIABLE}=ana2, or unset it for the default ${DEFAULT_PREFIX}.`,
      { category: 'badInput' },
    );
  }
  return prefix;
}

/** The participant's prefix from the environment, checked: WORKSHOP_PREFIX, else klw. */
export function participantPrefix(env: NodeJS.ProcessEnv = process.env): string {
  const value = env[PREFIX_VARIABLE];
  return checkParticipantPrefix(value === undefined || value === '' ? DEFAULT_PREFIX : value);
}

/**
 * The CloudWatch namespace the participant's functions publish to and the dashboard and harness
 * read: the workshop's own for the default prefix (so a single learner's metrics stay where they
 * always were), a namespace per prefix for everyone else, so two participants running the same
 * lab never add up each other's numbers. A slash is allowed in a namespace
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
 */
export function metricsNamespace(prefix: string): string {
  return prefix === DEFAULT_PREFIX ? DEFAULT_METRICS_NAMESPACE : `${DEFAULT_METRICS_NAMESPACE}/${prefix}`;
}

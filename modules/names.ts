// Names shared by every construct, so a reader can find a deployed resource by its lab.
// AWS limits: Lambda function names 64 characters, SQS queue names 80, IAM role names 64.

/** Prefix of every named resource: "kafka lambda workshop". */
export const PREFIX = 'klw';

/** The tag every resource of the stacks carries (the provider's default tags), so a policy can tell them apart. */
export const PROJECT_TAG = { key: 'Project', value: 'kafka-lambda-workshop' } as const;

/** The CloudWatch namespace the handlers publish to (METRICS_NAMESPACE's default). */
export { DEFAULT_METRICS_NAMESPACE as METRICS_NAMESPACE } from '../handlers/shared/telemetry.ts';

/** A resource name `klw-<parts...>`, checked against the shortest AWS limit it is used for. */
export function resourceName(...parts: string[]): string {
  const name = [PREFIX, ...parts].join('-');
  if (name.length > 64) {
    throw new Error(
      `Resource name "${name}" is ${name.length} characters; AWS allows at most 64 for Lambda functions and IAM roles. Use a shorter lab id or topic name.`,
    );
  }
  return name;
}

// Names shared by every construct, so a reader can find a deployed resource by its participant and
// its lab. AWS limits: Lambda function names 64 characters, SQS queue names 80, IAM role names 64.
//
// The participant's prefix (labs/participant.ts) travels in the construct tree's context, set once
// by buildWorkshopApp, so every construct names its resources from the same value without each
// one's props carrying it; a construct built outside the app (a test's) gets the default.
import type { IConstruct } from 'constructs';
import { checkParticipantPrefix, DEFAULT_PREFIX, metricsNamespace, PREFIX_VARIABLE } from '../labs/participant.ts';

/** The context key under which the app holds the participant's prefix. */
export const PREFIX_CONTEXT = 'workshop:prefix';

/** The prefix of every resource `scope` names: the app's WORKSHOP_PREFIX, or klw. */
export function participantPrefixOf(scope: IConstruct): string {
  const value = scope.node.tryGetContext(PREFIX_CONTEXT);
  return checkParticipantPrefix(typeof value === 'string' ? value : DEFAULT_PREFIX);
}

/** The tag every resource of the stacks carries (the provider's default tags), so a policy can tell them apart. */
export const PROJECT_TAG = { key: 'Project', value: 'kafka-lambda-workshop' } as const;

/** The CloudWatch namespace `scope`'s functions publish to and its dashboard reads. */
export function metricsNamespaceOf(scope: IConstruct): string {
  return metricsNamespace(participantPrefixOf(scope));
}

/** A resource name `<prefix>-<parts...>`, checked against the shortest AWS limit it is used for. */
export function resourceName(scope: IConstruct, ...parts: string[]): string {
  const name = [participantPrefixOf(scope), ...parts].join('-');
  if (name.length > 64) {
    throw new Error(
      `Resource name "${name}" is ${name.length} characters; AWS allows at most 64 for Lambda functions and IAM roles. Use a shorter lab id, topic name or ${PREFIX_VARIABLE}.`,
    );
  }
  return name;
}

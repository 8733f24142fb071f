// AWS errors a person can fix at once (no credentials, expired credentials, no region, no
// permission), turned into one UsageError line that says how; anything else passes through.
// The SDK raises CredentialsProviderError when its default chain (environment, AWS_PROFILE and
// ~/.aws, SSO, container and instance roles) finds nothing:
// https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html
import { UsageError } from '../errors.ts';

export const CREDENTIALS_HELP =
  'set AWS_PROFILE (after `aws configure` or `aws sso login`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary keys), and AWS_REGION, then run again';

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired', 'RequestExpired']);
const INVALID = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'IncompleteSignature']);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'AuthorizationError', 'UnauthorizedOperation']);

function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const e = error as { name?: unknown; Code?: unknown };
  return typeof e.name === 'string' ? e.name : typeof e.Code === 'string' ? e.Code : '';
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].trim();
}

/** The UsageError for a credentials, region or permission problem; undefined for anything else. */
export function credentialsUsageError(error: unknown, action: string): UsageError | undefined {
  const name = errorName(error);
  const message = firstLine(error);
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new UsageError(`No AWS credentials found for ${action}: ${CREDENTIALS_HELP}.`);
  }
  if (EXPIRED.has(name) || /token (has )?expired/i.test(message)) {
    return new UsageError(`The AWS credentials have expired (${action}): refresh them (\`aws sso login\` or new keys), then run again.`);
  }
  if (INVALID.has(name)) {
    return new UsageError(
      `AWS rejected the credentials (${name}) for ${action}: check AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then run again.`,
    );
  }
  if (/region is missing/i.test(message) || name === 'RegionMissingError') {
    return new UsageError(`No AWS region for ${action}: set AWS_REGION to the region the workshop is deployed in, then run again.`);
  }
  if (DENIED.has(name)) {
    return new UsageError(`Your AWS identity may not do ${action} (${message}): use a profile with the workshop's permissions, then run again.`);
  }
  return undefined;
}

/** Runs an AWS call; a credentials/region/permission failure becomes a one-line UsageError. */
export async function explainAwsErrors<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw credentialsUsageError(error, action) ?? error;
  }
}

// The AWS region the workshop deploys to and reads from, resolved the way the AWS SDK and CLI do:
// AWS_REGION, then the `region` of the AWS_PROFILE's section in ~/.aws/config (or
// ~/.aws/credentials), read by the SDK's own loader (@smithy/core/config, the one its clients use;
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html), then AWS_DEFAULT_REGION
// (the CLI's variable), then us-east-1. A learner who ran `aws configure` deploys where the CLI
// points, not to a default they never chose.
import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from '@smithy/core/config';

export const DEFAULT_REGION = 'us-east-1';

/** The region from the environment alone (no files): AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1. */
export function regionFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_REGION;
}

/** The region as the SDK resolves it, including the profile's; see the file comment for the order. */
export async function resolveRegion(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.AWS_REGION) return env.AWS_REGION;
  try {
    const fromProfile = await loadConfig({ ...NODE_REGION_CONFIG_OPTIONS, default: () => undefined }, NODE_REGION_CONFIG_FILE_OPTIONS)();
    if (typeof fromProfile === 'string' && fromProfile.length > 0) return fromProfile;
  } catch {
    // An unreadable config file is the SDK's problem to report when it signs a request.
  }
  return regionFromEnv(env);
}

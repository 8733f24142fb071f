// What the deploy asks AWS around `terraform apply`: before, whether Terraform and credentials are
// there and the account's concurrency can run the lab; after, the ESM settings the provider
// cannot apply, and each mapping watched until AWS reports it working. The Lambda client is
// loaded on first use, so a dry run or a bad argument never loads the SDK; tests inject a mock.
import type { GetEventSourceMappingCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { ESM_SETTLE_MINUTES } from '../../modules/esm-settle.ts';
import { concurrencyProblem } from '../account-concurrency.ts';
import { quietSdkNodeVersionWarning } from '../aws-sdk.ts';
import { mappingProblem } from '../esm-health.ts';
import type { LabSpec } from '../lab-spec.ts';
import { DeployError } from './deploy-error.ts';
import type { PostApplySettings } from './plan.ts';
import { terraformCommand } from './terraform.ts';

/** Terraform (or OpenTofu) new enough, and AWS credentials, or one sentence saying what to do. */
export async function preflight(region: string): Promise<void> {
  const tool = terraformCommand();
  console.log(`Using ${tool.command} ${tool.version}.`);
  quietSdkNodeVersionWarning();
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  const client = new LambdaClient({ region });
  try {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), 15_000).unref());
    const credentials = await Promise.race([client.config.credentials(), timeout]);
    if (!credentials?.accessKeyId) throw new Error('empty');
  } catch {
    throw new DeployError(
      'No AWS credentials found (environment, AWS_PROFILE, ~/.aws config, SSO or instance role): run `aws configure` or `aws sso login`, or set AWS_PROFILE, then run again.',
    );
  } finally {
    client.destroy();
  }
}

/** GetAccountSettings, then a DeployError when the account's concurrency cannot run the lab. */
export async function checkAccountConcurrency(lab: LabSpec, region: string, client?: LambdaClient): Promise<void> {
  quietSdkNodeVersionWarning();
  const { LambdaClient: Client, GetAccountSettingsCommand } = await import('@aws-sdk/client-lambda');
  const lambda = client ?? new Client({ region });
  try {
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    const limit = settings.AccountLimit?.ConcurrentExecutions;
    const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions;
    if (limit === undefined || unreserved === undefined) return;
    const problem = concurrencyProblem(lab, { limit, unreserved });
    if (problem) throw new DeployError(problem);
  } finally {
    if (!client) lambda.destroy();
  }
}

/** Waits until a mapping has left Creating/Updating/Enabling (MSK: minutes); returns it. */
async function settledMapping(lambda: LambdaClient, uuid: string, clock: DeployClock): Promise<GetEventSourceMappingCommandOutput> {
  const { GetEventSourceMappingCommand } = await import('@aws-sdk/client-lambda');
  const deadline = clock.now() + ESM_SETTLE_MINUTES * 60_000;
  for (;;) {
    const esm = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    if (esm.State === 'Enabled' || esm.State === 'Disabled') return esm;
    if (clock.now() > deadline)
      throw new DeployError(
        `ESM ${uuid} is still ${esm.State} after ${ESM_SETTLE_MINUTES} minutes: look at it in the Lambda console, then run the deploy again.`,
      );
    await clock.sleep(10_000);
  }
}

export interface DeployClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: DeployClock = { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** Applies postApplySettings to the lab's Kafka ESM with one UpdateEventSourceMapping. */
export async function applyPostApplySettings(region: string, esmUuid: string, settings: PostApplySettings, client?: LambdaClient): Promise<void> {
  quietSdkNodeVersionWarning();
  const { LambdaClient: Client, UpdateEventSourceMappingCommand } = await import('@aws-sdk/client-lambda');
  const lambda = client ?? new Client({ region });
  try {
    // An ESM accepts updates only once it has left Creating/Updating.
    await settledMapping(lambda, esmUuid, realClock);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: esmUuid, ...settings }));
    console.log(`Set ${Object.keys(settings).join(' and ')} on ESM ${esmUuid} (the Terraform provider cannot).`);
  } finally {
    if (!client) lambda.destroy();
  }
}

export interface MappingWatch {
  client?: LambdaClient;
  clock?: DeployClock;
  /** How long to watch an Enabled mapping for a PROBLEM before trusting it. Default 2 minutes. */
  watchMs?: number;
}

/**
 * After a lab is applied: waits for each mapping to settle, then watches it until AWS reports OK,
 * or for `watchMs`. A PROBLEM (network, STS, permissions: labs/esm-health.ts) is a DeployError
 * with AWS's message and the likely fix, instead of an Enabled mapping whose first run loses
 * every event.
 */
export async function awaitMappingsWorking(region: string, mappings: { uuid: string; what: string }[], labId: string, watch: MappingWatch = {}): Promise<void> {
  quietSdkNodeVersionWarning();
  const { LambdaClient: Client, GetEventSourceMappingCommand } = await import('@aws-sdk/client-lambda');
  const lambda = watch.client ?? new Client({ region });
  const clock = watch.clock ?? realClock;
  try {
    for (const { uuid, what } of mappings) {
      let esm = await settledMapping(lambda, uuid, clock);
      const until = clock.now() + (watch.watchMs ?? 120_000);
      for (;;) {
        const problem = mappingProblem(esm, what, labId);
        if (problem) throw new DeployError(`${problem} (The stack is deployed; nothing was rolled back.)`);
        if (esm.LastProcessingResult === 'OK' || clock.now() >= until) break;
        await clock.sleep(10_000);
        esm = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      }
      console.log(`${what} ${uuid}: ${esm.State}, ${esm.LastProcessingResult ?? 'no processing result yet'}.`);
    }
  } finally {
    if (!watch.client) lambda.destroy();
  }
}

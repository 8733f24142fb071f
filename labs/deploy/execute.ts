// Carrying out a plan: synthesize, then each step's init and apply or destroy, the record written
// as soon as Terraform is done (so a run that stops half-way, in Terraform or in the checks after
// it, still knows what is up), the post-apply settings and mapping checks after a lab is applied,
// and the outputs file for the harness last.
import type { LabSpec } from '../lab-spec.ts';
import { BASE_STACK, type DeployedOutputs, LAB_OUTPUTS, labStackName, OUTPUTS_FILE, writeDeployedOutputs } from '../stack-contract.ts';
import type { ExerciseStack } from '../stacks.ts';
import { applyPostApplySettings, awaitMappingsWorking } from './aws-checks.ts';
import { applyStep, type PostApplySettings, postApplySettings, type Step } from './plan.ts';
import { type DeployRecord, RECORD_FILE, readRecord, writeRecord } from './record.ts';
import { type TerraformRunner, terraform } from './terraform.ts';

export interface ExecuteOptions {
  region: string;
  /** The participant's WORKSHOP_PREFIX, recorded with every step. */
  prefix: string;
  labs: readonly LabSpec[];
  runner?: TerraformRunner;
  recordFile?: string;
  outputsFile?: string;
  applySettings?: (region: string, esmUuid: string, settings: PostApplySettings) => Promise<void>;
  /** After a lab is applied; default awaitMappingsWorking. */
  checkMappings?: (region: string, mappings: { uuid: string; what: string }[], labId: string) => Promise<void>;
}

/** Runs the steps in order, recording progress after each, then writes the outputs file (also when a step fails). */
export async function executeSteps(steps: Step[], options: ExecuteOptions): Promise<DeployRecord> {
  const runner = options.runner ?? terraform;
  const recordFile = options.recordFile ?? RECORD_FILE;
  let record = readRecord(recordFile);
  let finished = false;
  try {
    for (const step of steps) {
      console.log(`\n==> terraform ${step.action} ${step.stack} (${step.why})`);
      runner.run(step.stack, ['init', '-input=false']);
      runner.run(step.stack, step.action === 'apply' ? ['apply', '-auto-approve', '-input=false'] : ['destroy', '-auto-approve', '-input=false']);
      // On record as soon as Terraform is done: a lab whose checks below fail is still deployed,
      // and destroy must know it.
      record = applyStep(record, step, options.region, options.prefix);
      writeRecord(record, recordFile);
      if (step.action === 'apply' && step.labId) {
        const lab = options.labs.find((l) => l.id === step.labId);
        const outputs = runner.output(step.stack);
        const kafkaUuid = outputs[LAB_OUTPUTS.kafkaEsmUuid];
        const sqsUuid = outputs[LAB_OUTPUTS.sqsEsmUuid];
        const settings = lab ? postApplySettings(lab) : undefined;
        if (settings && typeof kafkaUuid === 'string') await (options.applySettings ?? applyPostApplySettings)(options.region, kafkaUuid, settings);
        const mappings = [
          ...(typeof kafkaUuid === 'string' ? [{ uuid: kafkaUuid, what: 'Kafka event source mapping' }] : []),
          ...(typeof sqsUuid === 'string' ? [{ uuid: sqsUuid, what: 'SQS event source mapping' }] : []),
        ];
        await (options.checkMappings ?? awaitMappingsWorking)(options.region, mappings, step.labId);
      }
    }
    finished = true;
  } finally {
    // The outputs follow the record even when a step failed: a lab whose readiness check failed is
    // deployed, and the harness's pre-run check must find it to say what is wrong with it.
    try {
      writeDeployedOutputs(deployedOutputs(record, runner, options.region), options.outputsFile ?? OUTPUTS_FILE);
    } catch (error) {
      if (finished) throw error;
    }
  }
  return record;
}

/** What Terraform reports for the recorded stacks; undefined when nothing is deployed. */
function deployedOutputs(record: DeployRecord, runner: TerraformRunner, region: string): DeployedOutputs | undefined {
  if (!record.baseDeployed) return undefined;
  const outputs: DeployedOutputs = { region, base: runner.output(BASE_STACK) };
  if (record.currentLab) {
    const stack = labStackName({ id: record.currentLab });
    outputs.lab = { id: record.currentLab, stack, outputs: runner.output(stack), ...(record.currentLabFrom ? { from: record.currentLabFrom } : {}) };
  }
  return outputs;
}

/** Synthesizes every stack for `region` and `prefix` (one lab from the learner's `exercise`); false (with the message printed) when a lab is invalid. */
export async function synthForDeploy(labs: readonly LabSpec[], region: string, prefix: string, exercise?: ExerciseStack): Promise<boolean> {
  const { runSynth } = await import('../synth.ts');
  return runSynth(labs, { region, prefix, exercise }) === 0;
}

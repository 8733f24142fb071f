// The learner's spec.ts as `workshop check` marks it: the spec's own checks (labs/exercise-spec.ts,
// the same ones `npm run deploy -- <lab> --from` runs), then whether the learner wrote their
// prediction down, each as a finding.

import { type ExerciseSpec, loadExerciseSpec } from '../../labs/exercise-spec.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { PREDICTED, type Prediction } from '../../labs/prediction.ts';
import { PREDICTION_WRITTEN } from './checkpoints.ts';
import type { Finding } from './finding.ts';
import { predictionProblems, unwritten } from './prediction-report.ts';

export type LoadedSpec = { lab: LabSpec; prediction: Prediction; findings: Finding[] } | { lab?: undefined; prediction?: undefined; findings: Finding[] };

export async function loadLearnerSpec(path: string, solution: LabSpec): Promise<LoadedSpec> {
  const loaded: ExerciseSpec = await loadExerciseSpec(path, solution);
  const findings: Finding[] = [...loaded.checks];
  if (!loaded.lab) return { findings };
  const prediction = (loaded.prediction ?? {}) as Prediction;
  const missing = unwritten(prediction);
  const wrong = predictionProblems(prediction);
  findings.push(
    missing.length === 0 && wrong.length === 0
      ? { name: PREDICTION_WRITTEN, pass: true, measured: PREDICTED.map(({ key }) => `${key} ${prediction[key]}`).join(', ') }
      : {
          name: PREDICTION_WRITTEN,
          pass: false,
          measured: [missing.length > 0 ? `not yet written: ${missing.map((key) => `prediction.${key}`).join(', ')}` : '', ...wrong].filter(Boolean).join('; '),
        },
  );
  return missing.length === 0 && wrong.length === 0 ? { lab: loaded.lab, prediction, findings } : { findings };
}

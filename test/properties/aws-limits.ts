// An independent oracle of the AWS limits, written from AWS's pages (msk-esm-parameters.html,
// API_CreateEventSourceMapping.html, gettingstarted-limits.html; not from labs/lab-spec.ts), for the LabSpec and --set properties. It lists every
// value a spec holds that AWS (CreateEventSourceMapping / CreateFunction) would refuse.
//
//   Kafka ESM  BatchSize 1..10000; MaximumBatchingWindowInSeconds whole seconds 0..300 (unset =
//              the 500 ms default); ProvisionedPollerConfig MinimumPollers 1..200, MaximumPollers
//              1..2000 and >= MinimumPollers; at most 5 filters, only on `value`;
//              MaximumRetryAttempts -1 or 0..10000; MaximumRecordAgeInSeconds -1 or 60..604800;
//              a Kafka on-failure destination is not the source topic.
//   SQS ESM    BatchSize 1..10000; window 0..300 and >= 1 when BatchSize > 10;
//              ScalingConfig.MaximumConcurrency 2..1000; provisioned MinimumPollers 2..200,
//              MaximumPollers >= MinimumPollers and <= 2000 (API_ProvisionedPollerConfig.html's
//              valid range; its SQS text says 10,000: the stricter bound is the one held).
//   Function   memory 128..10240 MB; a function behind a Kafka ESM times out after <= 14 min (840 s).

const isInt = (v: unknown, min: number, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Each AWS limit the spec breaks, as "path: why". Empty when AWS would take it. */
export function awsViolations(spec: unknown): string[] {
  const out: string[] = [];
  const bad = (path: string, why: string) => out.push(`${path}: ${why}`);
  if (!isObject(spec)) return ['(spec): not an object'];

  const esm = spec.kafkaEsm;
  if (!isObject(esm)) {
    bad('kafkaEsm', 'missing');
  } else {
    if (!isInt(esm.batchSize, 1, 10000)) bad('kafkaEsm.batchSize', 'BatchSize 1..10000');
    if (esm.batchingWindowSeconds !== undefined && !isInt(esm.batchingWindowSeconds, 0, 300)) bad('kafkaEsm.batchingWindowSeconds', 'whole seconds 0..300');
    if (esm.provisionedPollers !== undefined) {
      const p = esm.provisionedPollers;
      if (!isObject(p)) bad('kafkaEsm.provisionedPollers', 'an object');
      else {
        if (!isInt(p.minimum, 1, 200)) bad('kafkaEsm.provisionedPollers.minimum', 'MinimumPollers 1..200');
        if (!isInt(p.maximum, 1, 2000)) bad('kafkaEsm.provisionedPollers.maximum', 'MaximumPollers 1..2000');
        else if (isInt(p.minimum, 1, 200) && (p.maximum as number) < (p.minimum as number)) bad('kafkaEsm.provisionedPollers.maximum', '>= MinimumPollers');
      }
    }
    if (!Array.isArray(esm.filters)) bad('kafkaEsm.filters', 'a list');
    else {
      if (esm.filters.length > 5) bad('kafkaEsm.filters', 'at most 5 filters');
      esm.filters.forEach((f: unknown, i: number) => {
        if (!isObject(f) || Object.keys(f).join(',') !== 'value') bad(`kafkaEsm.filters[${i}]`, 'Kafka filters only on value');
      });
    }
    const r = esm.maximumRetryAttempts;
    if (r !== undefined && r !== -1 && !isInt(r, 0, 10000)) bad('kafkaEsm.maximumRetryAttempts', '-1 or 0..10000');
    const a = esm.maximumRecordAgeSeconds;
    if (a !== undefined && a !== -1 && !isInt(a, 60, 604800)) bad('kafkaEsm.maximumRecordAgeSeconds', '-1 or 60..604800');
    const dest = esm.onFailure;
    if (isObject(dest) && dest.kind === 'kafka') {
      const source = isObject(spec.topic) ? spec.topic.name : undefined;
      if (dest.topic === source) bad('kafkaEsm.onFailure.topic', 'not the source topic');
    }
  }

  const q = spec.sqsBuffer;
  if (q !== undefined) {
    if (!isObject(q)) bad('sqsBuffer', 'an object');
    else {
      if (!isInt(q.batchSize, 1, 10000)) bad('sqsBuffer.batchSize', 'BatchSize 1..10000');
      if (q.batchingWindowSeconds !== undefined && !isInt(q.batchingWindowSeconds, 0, 300)) bad('sqsBuffer.batchingWindowSeconds', 'whole seconds 0..300');
      if (isInt(q.batchSize, 1, 10000) && (q.batchSize as number) > 10 && !(typeof q.batchingWindowSeconds === 'number' && q.batchingWindowSeconds >= 1)) {
        bad('sqsBuffer.batchingWindowSeconds', '>= 1 when BatchSize > 10');
      }
      if (q.maximumConcurrency !== undefined && !isInt(q.maximumConcurrency, 2, 1000)) bad('sqsBuffer.maximumConcurrency', 'MaximumConcurrency 2..1000');
      if (q.provisionedPollers !== undefined) {
        const p = q.provisionedPollers;
        if (!isObject(p)) bad('sqsBuffer.provisionedPollers', 'an object');
        else {
          if (!isInt(p.minimum, 2, 200)) bad('sqsBuffer.provisionedPollers.minimum', 'MinimumPollers 2..200');
          if (!isInt(p.maximum, 2, 2000) || (isInt(p.minimum, 2, 200) && (p.maximum as number) < (p.minimum as number))) {
            bad('sqsBuffer.provisionedPollers.maximum', 'MaximumPollers 2..2000 and >= MinimumPollers');
          }
        }
      }
    }
  }

  const fn = spec.processor;
  if (!isObject(fn)) bad('processor', 'missing');
  else {
    if (!isInt(fn.memoryMb, 128, 10240)) bad('processor.memoryMb', 'memory 128..10240 MB');
    if (!isInt(fn.timeoutSeconds, 1, 840)) bad('processor.timeoutSeconds', 'Kafka ESM function timeout 1..840 s');
  }
  return out;
}

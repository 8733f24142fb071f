// The local Lambda runtime: runs the real esbuild bundles of the handlers on this machine, with the
// Lambda behaviours the labs depend on (sandbox/lambda-runtime/MODEL.md, with the AWS page for each).
//
//   const runtime = new LambdaRuntime({ accountConcurrency: 1000 });   // one account
//   const fn = runtime.createFunction({
//     name: 'booking-processor',
//     bundleFile: '.build/handlers/booking-processor/index.mjs',     // exports `handler`
//     env: { PROCESSING_MS_PER_RECORD: '5' },                         // process.env of the handler
//     memoryMb: 512, timeoutSeconds: 30, reservedConcurrency: 10,     // reservedConcurrency optional
//   });
//   const result = await fn.invoke(event, { records: 100 });
//   // never rejects: result.outcome is 'ok' | 'error' | 'throttled' | 'timeout';
//   // result.response (ok) or result.error {errorType, errorMessage, stackTrace[, reason]},
//   // durationMs, initDurationMs (cold starts only), billedDurationMs, coldStart, logStreamName,
//   // requestId, start/end (epoch ms), logs (the invocation's non-EMF lines)
//   fn.concurrency; fn.peakConcurrency; fn.environmentCount; fn.idleEnvironmentCount;
//   runtime.concurrency; runtime.peakConcurrency; runtime.concurrencyTimeline;  // account-wide
//   runtime.metrics.sum({ namespace: 'KafkaLambdaWorkshop', name: 'EventsProcessed' });  // EMF
//   runtime.onLog((line) => ...);           // every non-EMF line: {functionName, requestId, text, json?, ...}
//   runtime.onInvocation((record) => ...);  // every invoke, throttles and refused requests included
//   runtime.invocations.all(); runtime.logs.all();   // what arrived within the retention window
//   await runtime.memoryUsage({ gc: true }); // V8 heaps of the environments (diagnostic, npm run soak)
//   await runtime.close();                  // terminates every worker thread
//
// What is modelled (and how):
// - Execution environment = one worker thread that imports the bundle once (INIT; its time is the
//   init duration). Warm environments are reused, most recently used first; a new one is created
//   only when all are busy, so there is exactly one environment per concurrent invocation and
//   module state is per environment. Workers run the built .mjs, no TypeScript loader.
// - process.env: the function's env plus the variables Lambda defines (AWS_LAMBDA_FUNCTION_NAME,
//   AWS_REGION, AWS_LAMBDA_LOG_STREAM_NAME, ...; fake local credentials). Setting a reserved
//   variable is refused, as on AWS.
// - Concurrency: reserved concurrency (throttle at the limit, TooManyRequestsException with
//   Reason ReservedFunctionConcurrentInvocationLimitExceeded) and the account pool shared by the
//   runtime's functions (ConcurrentInvocationLimitExceeded); see concurrency.ts.
// - Timeout: "Task timed out after N.NN seconds" (Sandbox.Timedout); the environment is discarded,
//   so the next invoke cold-starts. INIT has Lambda's 10 s limit.
// - Payloads: request and response JSON up to 6,291,456 bytes (RequestEntityTooLargeException,
//   Function.ResponseSizeTooLarge).
// - Handler errors come back as {errorType, errorMessage, stackTrace}; the environment stays warm.
//   Uncaught exceptions, unhandled rejections, process.exit and running out of memory (heap limit
//   = memoryMb) end the environment.
// - Handlers: async, or callback-style (a third parameter; nodejs22.x still supports it). A
//   synchronous handler without a callback answers null, as on Lambda.
// - Logs: stdout/stderr of each environment, line by line, attributed to the invocation that wrote
//   them (INIT lines to the cold-start invocation; a line written after the response to the
//   invocation that scheduled it). Lambda's own lines are added as the Node runtime writes them:
//   "<time>\t<requestId>\tERROR\tInvoke Error \t{...}" (also Uncaught Exception, Unhandled Promise
//   Rejection) and "... Task timed out after N.NN seconds". EMF lines become metrics in
//   runtime.metrics, alongside AWS/Lambda Invocations, Errors, Throttles and Duration per function.
// - Options: new LambdaRuntime({ accountConcurrency = 1000, minimumUnreservedConcurrency =
//   min(100, accountConcurrency), retentionMs = 15 minutes }); createFunction also takes handler
//   (export name, default "handler") and region (AWS_REGION, default us-east-1). AWS sources:
//   MODEL.md in this folder.
// - Retention: metrics, log lines, invocation records and the concurrency timeline are kept for
//   retentionMs after they arrive (as CloudWatch keeps data for a retention period), so a runtime
//   that runs for hours holds a bounded amount; the listeners see everything as it arrives.
// Not modelled: AWS network and invoke overheads, burst scaling limits (1,000 environments per
// 10 s per function), idle environments being reclaimed after some minutes, provisioned
// concurrency, callbackWaitsForEmptyEventLoop (responses are sent when the handler settles), the
// Lambda console's text prefix on console.log lines, and writes that bypass process.stdout/stderr.

export type { ConcurrencySample } from './concurrency.ts';
export { type EmfMetric, emfMetrics, isEmfDocument } from './emf.ts';
export { INIT_TIMEOUT_MS } from './execution-environment.ts';
export type { LogLine, LogStore } from './function-logs.ts';
export type { InvocationLog, InvocationOutcome, InvocationRecord } from './invocation-log.ts';
export type { InvokeError, ThrottleReason } from './lambda-errors.ts';
export { type FunctionConfig, type InvokeOptions, type InvokeResult, LambdaFunction, RESERVED_ENV_KEYS } from './lambda-function.ts';
export { LambdaRuntime, type RuntimeMemory, type RuntimeOptions } from './lambda-runtime.ts';
export type { Unsubscribe } from './listeners.ts';
export { type MetricDatum, type MetricFilter, MetricStore } from './metric-store.ts';
export { exceedsPayloadLimit, JsonPayload, PAYLOAD_LIMIT_BYTES, serializePayload } from './payload-limit.ts';
export { DEFAULT_RETENTION_MS, type RetentionOptions } from './retention.ts';

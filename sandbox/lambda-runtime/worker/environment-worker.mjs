// @ts-check
// The code running inside one execution environment (a worker thread). Plain ESM on purpose: the
// worker is started without the TypeScript loader and imports the function's esbuild bundle,
// exactly the file Lambda runs.
//
// INIT: capture stdout/stderr, import the bundle once (its duration is the init duration), find
// the handler export. INVOKE (one at a time, as in Lambda): parse the request JSON, call the
// handler with a Lambda-shaped context, serialize the response, enforce the response size limit.
// An uncaught exception or unhandled rejection ends the environment, as Lambda's Node runtime
// does (the runtime then starts a fresh one). The message protocol is typed in ../protocol.ts.

import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { lambdaContext } from './lambda-context.mjs';
import { captureOutput } from './log-capture.mjs';

const port = parentPort;
const utf8 = new TextDecoder();
if (!port) throw new Error('environment-worker.mjs runs inside a worker thread started by the local Lambda runtime.');

// A thread may be started ahead of need (../spare-runtimes.ts): it becomes a given function's
// environment, with that function's process.env, only when the start message comes.
/** @type {import('../protocol.ts').StartMessage} */
const start = await new Promise((resolve) => port.once('message', resolve));
const settings = start.settings;
for (const key of Object.keys(process.env)) delete process.env[key];
Object.assign(process.env, start.env);
/** @param {import('../protocol.ts').WorkerMessage} message */
const post = (message) => port.postMessage(message);

const output = captureOutput(post);
/** @type {string | null} */
let currentRequestId = null;

/**
 * Lambda's error shape. Node's runtime puts the whole stack, first line included, in stackTrace.
 * @param {unknown} error
 * @returns {import('../protocol.ts').FunctionError}
 */
function toFunctionError(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || error.constructor?.name || 'Error',
      errorMessage: error.message,
      stackTrace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), stackTrace: [] };
}

/**
 * The line Lambda's Node runtime logs for a failure, e.g.
 * 2025-01-01T00:00:00.000Z<TAB>requestId<TAB>ERROR<TAB>Invoke Error <TAB>{"errorType":...}
 * @param {string} label @param {import('../protocol.ts').FunctionError} detail
 */
function logError(label, detail) {
  const { errorType, errorMessage, stackTrace } = detail;
  const json = JSON.stringify({ errorType, errorMessage, stack: stackTrace });
  process.stderr.write(`${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\tERROR\t${label} \t${json}\n`);
}

/** @param {string} errorType @param {unknown} error */
function crash(errorType, error) {
  const detail = toFunctionError(error);
  logError(errorType === 'Runtime.UnhandledPromiseRejection' ? 'Unhandled Promise Rejection' : 'Uncaught Exception', detail);
  output.flush();
  post({ type: 'crash', requestId: currentRequestId, error: { ...detail, errorType: errorType || detail.errorType } });
  process.exit(1);
}
process.on('uncaughtException', (error) => crash('', error));
process.on('unhandledRejection', (reason) => crash('Runtime.UnhandledPromiseRejection', reason));

/** @type {Function | undefined} */
let handler;
const initStart = performance.now();
try {
  const module = await import(pathToFileURL(settings.bundleFile).href);
  const exported = module[settings.handlerName];
  if (typeof exported !== 'function') {
    const file =
      settings.bundleFile
        .split(/[\\/]/)
        .pop()
        ?.replace(/\.[cm]?js$/, '') ?? 'index';
    throw Object.assign(new Error(`${file}.${settings.handlerName} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  }
  handler = exported;
} catch (error) {
  output.flush();
  const detail = toFunctionError(error);
  const code = /** @type {{ code?: unknown }} */ (error)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND') detail.errorType = 'Runtime.ImportModuleError';
  post({ type: 'init-error', initDurationMs: performance.now() - initStart, error: detail });
}

if (handler) {
  const fn = handler;
  port.on('message', (/** @type {import('../protocol.ts').RuntimeMessage} */ message) => {
    if (message.type === 'memory') reportMemory(message);
    else void invoke(fn, message);
  });
  output.flush();
  post({ type: 'ready', initDurationMs: performance.now() - initStart });
}

/**
 * The environment's V8 heap, after a full GC when asked and possible (globalThis.gc exists only
 * when the process runs with --expose-gc). Answered between the handler's own tasks, so also
 * while an invocation awaits something.
 * @param {import('../protocol.ts').MemoryRequest} message
 */
function reportMemory(message) {
  const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc;
  const collected = message.gc && typeof gc === 'function';
  if (collected) gc();
  const heap = getHeapStatistics();
  post({
    type: 'memory',
    id: message.id,
    collected,
    heapUsedBytes: heap.used_heap_size,
    heapTotalBytes: heap.total_heap_size,
    externalBytes: heap.external_memory,
  });
}

/**
 * Calls an async handler, or a callback-style one (nodejs22.x still supports callbacks; a handler
 * declaring a third parameter is answered when it calls back). A synchronous handler without a
 * callback parameter answers null, as on Lambda.
 * @param {Function} fn @param {unknown} event @param {object} context
 */
function callHandler(fn, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    /** @param {unknown} error @param {unknown} [result] */
    const callback = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== null && error !== undefined) reject(error);
      else resolve(result);
    };
    const returned = fn(event, context, callback);
    if (returned !== null && typeof returned === 'object' && typeof returned.then === 'function') {
      returned.then(
        (/** @type {unknown} */ result) => callback(null, result),
        (/** @type {unknown} */ error) => callback(error ?? new Error('The handler rejected without a reason')),
      );
    } else if (fn.length < 3) {
      callback(null, null);
    }
  });
}

/** @param {Function} fn @param {import('../protocol.ts').InvokeMessage} message */
async function invoke(fn, message) {
  const { requestId } = message;
  currentRequestId = requestId;
  output.begin(requestId);
  const context = lambdaContext({
    requestId,
    deadline: message.deadline,
    functionName: settings.functionName,
    memoryMb: settings.memoryMb,
    logGroupName: settings.logGroupName,
    logStreamName: settings.logStreamName,
    invokedFunctionArn: settings.invokedFunctionArn,
  });
  const started = performance.now();
  /** @type {import('../protocol.ts').ResultMessage} */
  let result;
  try {
    const event = JSON.parse(typeof message.payloadJson === 'string' ? message.payloadJson : utf8.decode(message.payloadJson));
    const response = await callHandler(fn, event, context);
    const durationMs = performance.now() - started;
    result = serializeResponse(requestId, response, durationMs);
  } catch (error) {
    result = { type: 'result', requestId, durationMs: performance.now() - started, error: toFunctionError(error) };
  }
  if ('error' in result) logError('Invoke Error', result.error);
  output.flush();
  post(result);
}

/**
 * @param {string} requestId @param {unknown} response @param {number} durationMs
 * @returns {import('../protocol.ts').ResultMessage}
 */
function serializeResponse(requestId, response, durationMs) {
  let responseJson;
  try {
    responseJson = JSON.stringify(response === undefined ? null : response);
  } catch (error) {
    const detail = toFunctionError(error);
    return {
      type: 'result',
      requestId,
      durationMs,
      error: { ...detail, errorType: 'Runtime.MarshalError', errorMessage: `Unable to serialize the response: ${detail.errorMessage}` },
    };
  }
  // JSON.stringify gives undefined for a function or symbol: Lambda answers null then.
  if (responseJson === undefined) responseJson = 'null';
  const bytes = Buffer.byteLength(responseJson, 'utf8');
  if (bytes > settings.responseLimitBytes) {
    return {
      type: 'result',
      requestId,
      durationMs,
      responseBytes: bytes,
      error: {
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${settings.responseLimitBytes} bytes).`,
        stackTrace: [],
      },
    };
  }
  return { type: 'result', requestId, durationMs, responseBytes: bytes, responseJson };
}

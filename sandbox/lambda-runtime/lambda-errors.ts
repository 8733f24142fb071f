// The error payloads the runtime itself produces (as opposed to errors thrown by a handler), named
// and worded like the Lambda Invoke API's.

import type { FunctionError } from './protocol.ts';

export type { FunctionError };

/** An invoke error; `reason` is set on throttles, as in TooManyRequestsException. */
export interface InvokeError extends FunctionError {
  reason?: string;
}

export type ThrottleReason = 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded';

export function throttled(reason: ThrottleReason, functionName: string, limit: number): InvokeError {
  const which =
    reason === 'ReservedFunctionConcurrentInvocationLimitExceeded' ? `its reserved concurrency (${limit})` : `the account's unreserved concurrency (${limit})`;
  return {
    errorType: 'TooManyRequestsException',
    errorMessage: `Rate Exceeded. ${functionName} is already running at ${which}.`,
    stackTrace: [],
    reason,
  };
}

export function timedOut(requestId: string, seconds: number, phase: 'invoke' | 'init' = 'invoke'): InvokeError {
  const what = phase === 'init' ? 'INIT phase timed out' : 'Task timed out';
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `${new Date().toISOString()} ${requestId} ${what} after ${seconds.toFixed(2)} seconds`,
    stackTrace: [],
  };
}

export function requestTooLarge(bytes: number, limit: number): InvokeError {
  return {
    errorType: 'RequestEntityTooLargeException',
    errorMessage: `Request must be smaller than ${limit} bytes for the InvokeFunction operation (this request is ${bytes} bytes).`,
    stackTrace: [],
  };
}

export function invalidRequest(reason: string): InvokeError {
  return {
    errorType: 'InvalidRequestContentException',
    errorMessage: `Could not serialize the request payload to JSON: ${reason}`,
    stackTrace: [],
  };
}

/** The environment's thread ended during an invocation (process.exit, out of memory, crash). */
export function runtimeExited(detail: string, errorType = 'Runtime.ExitError'): InvokeError {
  return { errorType, errorMessage: `Runtime exited with error: ${detail}`, stackTrace: [] };
}

export function runtimeClosed(functionName: string): InvokeError {
  return {
    errorType: 'LocalRuntimeClosed',
    errorMessage: `The local Lambda runtime was closed, so ${functionName} was not (or no longer) running this invocation.`,
    stackTrace: [],
  };
}

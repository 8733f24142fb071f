// The messages between the runtime (main thread) and an execution environment (worker/environment-
// worker.mjs). The worker is plain JavaScript; these types are what both sides agree on.

/** Lambda's error payload: what an invoke returns when the function fails. */
export interface FunctionError {
  errorType: string;
  errorMessage: string;
  stackTrace: string[];
}

/** What an execution environment is told when it starts (StartMessage). */
export interface EnvironmentSettings {
  bundleFile: string;
  handlerName: string;
  functionName: string;
  memoryMb: number;
  logGroupName: string;
  logStreamName: string;
  invokedFunctionArn: string;
  responseLimitBytes: number;
}

/** Runtime -> environment: run one invocation. */
export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  /** The request payload as Lambda receives it: JSON text, or its UTF-8 bytes (transferred). */
  payloadJson: string | Uint8Array;
  /** Epoch ms at which the invocation times out (for context.getRemainingTimeInMillis). */
  deadline: number;
}

/**
 * Runtime -> environment: report the environment's V8 heap (after a full GC when `gc` is set and
 * the process runs with --expose-gc). A diagnostic: `npm run soak` uses it to tell the Lambda
 * environments' memory from the runtime's own.
 */
export interface MemoryRequest {
  type: 'memory';
  id: number;
  gc: boolean;
}

/**
 * Runtime -> environment, first and once: which function this thread becomes, and its process.env.
 * Threads are started bare, ahead of need (spare-runtimes.ts), so this comes as a message.
 */
export interface StartMessage {
  type: 'start';
  settings: EnvironmentSettings;
  env: Record<string, string>;
}

export type RuntimeMessage = InvokeMessage | MemoryRequest;

/** One line the function wrote. requestId is null for lines written during INIT. */
export interface LogMessage {
  type: 'log';
  requestId: string | null;
  stream: 'stdout' | 'stderr';
  text: string;
  timestamp: number;
}

export interface ReadyMessage {
  type: 'ready';
  initDurationMs: number;
}

export interface InitErrorMessage {
  type: 'init-error';
  initDurationMs: number;
  error: FunctionError;
}

export type ResultMessage =
  | { type: 'result'; requestId: string; durationMs: number; responseBytes: number; responseJson: string }
  | { type: 'result'; requestId: string; durationMs: number; responseBytes?: number; error: FunctionError };

/** Uncaught exception or unhandled rejection: the environment exits right after. */
export interface CrashMessage {
  type: 'crash';
  requestId: string | null;
  error: FunctionError;
}

/** Environment -> runtime: the answer to a MemoryRequest. */
export interface MemoryMessage {
  type: 'memory';
  id: number;
  /** Whether a GC ran first (it needs node --expose-gc). */
  collected: boolean;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
}

export type WorkerMessage = LogMessage | ReadyMessage | InitErrorMessage | ResultMessage | CrashMessage | MemoryMessage;

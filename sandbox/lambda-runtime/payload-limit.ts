// Lambda's 6 MB limit on synchronous invocation payloads, applied to the request (refused before
// anything runs) and to the response (the invocation fails with Function.ResponseSizeTooLarge,
// checked inside the environment, see worker/environment-worker.mjs). The payload travels as JSON
// text (or its UTF-8 bytes, JsonPayload), as on Lambda, so the handler receives a fresh copy and
// sizes are UTF-8 bytes of that text.

import { INVOKE_PAYLOAD_LIMIT_BYTES } from '../../labs/aws-limits.ts';

/** Lambda's 6 MB (6,291,456 bytes) synchronous payload limit, under the name the runtime's callers know. */
export const PAYLOAD_LIMIT_BYTES = INVOKE_PAYLOAD_LIMIT_BYTES;

/** body: JSON text, or its UTF-8 bytes when the caller built them (JsonPayload). */
export type SerializedPayload = { ok: true; body: string | Uint8Array; bytes: number } | { ok: false; reason: string };

/**
 * A payload its caller already holds as UTF-8 JSON (an event source mapping builds its event from
 * each record's bytes): invoke sends these bytes as they are, and moves them to the function's
 * thread instead of copying them, so the caller must not use them afterwards. Their buffer must
 * be theirs alone (not a slice of Node's shared pool).
 */
export class JsonPayload {
  constructor(readonly utf8: Uint8Array) {
    if (utf8.byteOffset !== 0 || utf8.byteLength !== utf8.buffer.byteLength) {
      throw new Error('A JsonPayload needs a buffer of its own (Buffer.allocUnsafeSlow), not a slice of a larger one.');
    }
  }
}

/** The request body an invoke sends. No payload at all is sent as "{}", like the CLI does. */
export function serializePayload(payload: unknown): SerializedPayload {
  if (payload instanceof JsonPayload) return { ok: true, body: payload.utf8, bytes: payload.utf8.byteLength };
  let json: string | undefined;
  try {
    json = payload === undefined ? '{}' : JSON.stringify(payload);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  if (json === undefined) return { ok: false, reason: `a ${typeof payload} is not JSON` };
  return { ok: true, body: json, bytes: Buffer.byteLength(json, 'utf8') };
}

export function exceedsPayloadLimit(bytes: number, limit = PAYLOAD_LIMIT_BYTES): boolean {
  return bytes > limit;
}

// Lambda's 6 MB limit on synchronous invocation payloads, applied to the request (refused before
// anything runs) and to the response (the invocation fails with Function.ResponseSizeTooLarge,
// checked inside the environment, see worker/environment-worker.mjs). The payload travels as JSON
// text, as on Lambda, so the handler receives a fresh copy and sizes are UTF-8 bytes of that text.

export const PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024; // 6,291,456

export type SerializedPayload = { ok: true; json: string; bytes: number } | { ok: false; reason: string };

/** The request body an invoke sends. No payload at all is sent as "{}", like the CLI does. */
export function serializePayload(payload: unknown): SerializedPayload {
  let json: string | undefined;
  try {
    json = payload === undefined ? '{}' : JSON.stringify(payload);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  if (json === undefined) return { ok: false, reason: `a ${typeof payload} is not JSON` };
  return { ok: true, json, bytes: Buffer.byteLength(json, 'utf8') };
}

export function exceedsPayloadLimit(bytes: number, limit = PAYLOAD_LIMIT_BYTES): boolean {
  return bytes > limit;
}

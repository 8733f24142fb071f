// An SQS batch is invoked at the first of the batch size, the window, or the 6 MB invoke payload
// ("The payload size reaches 6 MB. You cannot modify this limit": invocation-eventsourcemapping.html).
// Messages received past the limit wait for the loop's next batch.
import { PAYLOAD_LIMIT_BYTES } from '../lambda-runtime/payload-limit.ts';

/** `{"Records":[` and `]}` around the records. */
const ENVELOPE_BYTES = Buffer.byteLength('{"Records":[]}');

/** The leading records whose event stays within the limit (at least one), and the rest. */
export function cutAtPayloadLimit<T>(records: T[], limit = PAYLOAD_LIMIT_BYTES): { batch: T[]; rest: T[] } {
  let bytes = ENVELOPE_BYTES;
  let fit = 0;
  for (const record of records) {
    const size = Buffer.byteLength(JSON.stringify(record), 'utf8') + (fit > 0 ? 1 : 0);
    if (fit > 0 && bytes + size > limit) break;
    bytes += size;
    fit++;
  }
  return { batch: records.slice(0, fit), rest: records.slice(fit) };
}

// @ts-check
// Inside an execution environment: everything the function writes to stdout/stderr (console.*,
// Powertools Logger and Metrics, process.stdout.write) is captured line by line and posted to the
// runtime, tagged with the request id of the invocation that wrote it. Like Lambda's Node runtime,
// the "current" request id stays set after an invocation returns, so a late line (a timer firing
// after the response) belongs to the invocation that started it. Lines written during INIT carry
// no request id; the runtime gives them to the invocation that caused the cold start.
// Messages on one port arrive in order, so every line reaches the runtime before the result of
// the invocation that wrote it; a line written just before a timeout or crash is not lost.

/**
 * @param {(message: { type: 'log', requestId: string | null, stream: 'stdout' | 'stderr', text: string, timestamp: number }) => void} post
 */
export function captureOutput(post) {
  /** @type {string | null} */
  let requestId = null;
  /** @type {Record<'stdout' | 'stderr', string>} */
  const partial = { stdout: '', stderr: '' };

  /** @param {'stdout' | 'stderr'} stream @param {string} text */
  const emit = (stream, text) => post({ type: 'log', requestId, stream, text, timestamp: Date.now() });

  /** @param {'stdout' | 'stderr'} stream */
  const writer = (stream) =>
    /** @param {unknown} chunk @param {unknown} [encoding] @param {unknown} [callback] */
    function write(chunk, encoding, callback) {
      const text =
        typeof chunk === 'string'
          ? chunk
          : Buffer.from(/** @type {Uint8Array} */ (chunk)).toString(typeof encoding === 'string' ? /** @type {BufferEncoding} */ (encoding) : 'utf8');
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) emit(stream, line.endsWith('\r') ? line.slice(0, -1) : line);
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') queueMicrotask(() => done());
      return true;
    };

  process.stdout.write = /** @type {typeof process.stdout.write} */ (writer('stdout'));
  process.stderr.write = /** @type {typeof process.stderr.write} */ (writer('stderr'));

  return {
    /** @param {string} id */
    begin(id) {
      requestId = id;
    },
    /** A line without its newline yet is flushed when its invocation ends. */
    flush() {
      for (const stream of /** @type {const} */ (['stdout', 'stderr'])) {
        if (partial[stream] !== '') {
          emit(stream, partial[stream]);
          partial[stream] = '';
        }
      }
    },
  };
}

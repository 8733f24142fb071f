// Confluent's wire format, which the producer writes and the sandbox's mapping reads: magic byte
// 0, the schema id as 4 bytes big-endian, then the serialized body. One home for its layout.

const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

/** `body` framed under `schemaId`. */
export function frame(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

/** The schema id and body of a framed value, or undefined when it does not start with the header. */
export function readFrame(bytes: Buffer | null): { schemaId: number; body: Buffer } | undefined {
  if (!bytes || bytes.length < HEADER_BYTES || bytes[0] !== MAGIC_BYTE) return undefined;
  return { schemaId: bytes.readUInt32BE(1), body: bytes.subarray(HEADER_BYTES) };
}

/** The same framed value under another schema id. */
export function reframe(framed: Buffer, schemaId: number): Buffer {
  const copy = Buffer.from(framed);
  copy.writeUInt32BE(schemaId, 1);
  return copy;
}

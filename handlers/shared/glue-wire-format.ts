// AWS Glue Schema Registry's wire format, which the producer writes on AWS and Lambda's Kafka
// event source mapping reads when its SchemaRegistryConfig names a Glue registry: header version
// byte 3, a compression byte (0 none, 5 zlib), the schema version id as its 16 UUID bytes, then
// the serialized body. One home for its layout, as confluent-wire-format.ts is for Confluent's.
// Layout: awslabs/aws-glue-schema-registry SerializationDataEncoder.java and
// AWSSchemaRegistryConstants.java (HEADER_VERSION_BYTE 3, COMPRESSION_DEFAULT_BYTE 0,
// COMPRESSION_ZLIB_BYTE 5), which @meinestadt.de/glue-schema-registry follows.

export const GLUE_HEADER_VERSION = 3;
/** The producer never compresses: the mapping's validation then reads the Avro body as written. */
export const GLUE_NO_COMPRESSION = 0;
const UUID_BYTES = 16;
const HEADER_BYTES = 2 + UUID_BYTES;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A schema version id Glue never hands out (its ids are random version 4 UUIDs; this is the nil
 * UUID): a record framed with it has no schema, and the mapping reports SCHEMA_NOT_FOUND.
 */
export const UNKNOWN_SCHEMA_VERSION_ID = '00000000-0000-0000-0000-000000000000';

/** `body` framed under the schema version `schemaVersionId`, uncompressed. */
export function glueFrame(schemaVersionId: string, body: Buffer): Buffer {
  if (!UUID_PATTERN.test(schemaVersionId)) throw new Error(`"${schemaVersionId}" is not a Glue schema version id: Glue names versions by UUID.`);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(GLUE_HEADER_VERSION, 0);
  header.writeUInt8(GLUE_NO_COMPRESSION, 1);
  Buffer.from(schemaVersionId.replaceAll('-', ''), 'hex').copy(header, 2);
  return Buffer.concat([header, body]);
}

/** The schema version id and body of an uncompressed Glue frame, or undefined when `bytes` is not one. */
export function readGlueFrame(bytes: Buffer | null): { schemaVersionId: string; body: Buffer } | undefined {
  if (!bytes || bytes.length < HEADER_BYTES || bytes[0] !== GLUE_HEADER_VERSION || bytes[1] !== GLUE_NO_COMPRESSION) return undefined;
  const hex = bytes.subarray(2, HEADER_BYTES).toString('hex');
  const schemaVersionId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { schemaVersionId, body: bytes.subarray(HEADER_BYTES) };
}

// What a Kafka mapping with a SchemaRegistryConfig does to each record before filtering it
// (services-consume-kafka-events.html, "How Lambda performs schema validation"): for each attribute
// in SchemaValidationConfigs, read the schema id from the record's header, fetch the schema, and
// deserialize the bytes with it. A record whose schema the registry does not have fails with
// SCHEMA_NOT_FOUND, one that does not deserialize with DESERIALIZATION_ERROR; neither is invoked.
// A record that passes is handed on as the EventRecordFormat says: JSON (the decoded record as
// JSON text) or SOURCE (the original bytes, schema header removed), with `keySchemaMetadata` /
// `valueSchemaMetadata` ({dataFormat, schemaId}) added for each validated attribute.
//
// The sandbox's registry speaks Confluent's API, so records carry Confluent's header (magic byte
// 0, then the 4-byte schema id, big-endian). The schema lookup is injected: it answers undefined
// for an id the registry does not have and throws when the registry cannot be asked.
import avro from 'avsc';
import { readFrame } from '../../handlers/shared/confluent-wire-format.ts';
import type { SchemaRegistrySpec, SchemaValidationAttribute } from '../../labs/lab-spec-types.ts';
import type { PolledRecord, SchemaFailure, SchemaMetadata } from './polled-record.ts';

export interface SchemaLookup {
  /** The schema's text, or undefined when the registry has no schema with this id; throws when the registry cannot answer. */
  schemaById(id: number): Promise<string | undefined>;
}

type Decoded = { record: PolledRecord } | { failure: SchemaFailure };

/**
 * What validation cost this mapping's pollers, measured: AWS says only that a registry "may
 * increase your Lambda Event Poller Unit (EPU) usage" and publishes no figure, so the report shows
 * the sandbox's own time, apart from the registry's answers.
 */
export interface SchemaValidationCost {
  /** Records validated (each once, whatever the number of attributes). */
  records: number;
  /** Time spent deserializing and re-encoding them, registry calls excluded, ms. */
  decodeMs: number;
  /** Schemas fetched from the registry (once per id found, again for an id it did not have). */
  registryLookups: number;
  /** Time spent waiting on those answers, ms. */
  registryMs: number;
}

export class SchemaDecoder {
  private readonly types = new Map<number, avro.Type>();
  readonly cost: SchemaValidationCost = { records: 0, decodeMs: 0, registryLookups: 0, registryMs: 0 };

  constructor(
    private readonly config: SchemaRegistrySpec,
    private readonly lookup: SchemaLookup,
  ) {}

  /** The record as the function will see it, or why it fails; throws only when the registry cannot be asked. */
  async decode(record: PolledRecord): Promise<Decoded> {
    const started = performance.now();
    const registryMsBefore = this.cost.registryMs;
    try {
      const decoded = await this.decodeRecord(record);
      this.cost.records++;
      return decoded;
    } finally {
      this.cost.decodeMs += performance.now() - started - (this.cost.registryMs - registryMsBefore);
    }
  }

  private async decodeRecord(record: PolledRecord): Promise<Decoded> {
    let decoded = record;
    for (const attribute of this.config.validate) {
      const result = await this.decodeAttribute(attribute, attributeOf(decoded, attribute));
      if ('failure' in result) return { failure: result.failure };
      decoded =
        attribute === 'KEY'
          ? { ...decoded, key: result.bytes, keySchemaMetadata: result.metadata }
          : { ...decoded, value: result.bytes, valueSchemaMetadata: result.metadata, ...(result.json !== result.bytes ? { filterValue: result.json } : {}) };
    }
    return { record: decoded };
  }

  private async decodeAttribute(
    attribute: SchemaValidationAttribute,
    bytes: Buffer | null,
  ): Promise<{ bytes: Buffer; json: Buffer; metadata: SchemaMetadata } | { failure: SchemaFailure }> {
    const what = attribute.toLowerCase();
    const framed = readFrame(bytes);
    if (!framed) {
      return {
        failure: {
          condition: 'DESERIALIZATION_ERROR',
          message: `the record's ${what} does not start with a schema registry header (magic byte 0 and a 4-byte schema id)`,
        },
      };
    }
    const { schemaId, body } = framed;
    const type = await this.typeOf(schemaId);
    if (type === undefined)
      return { failure: { condition: 'SCHEMA_NOT_FOUND', message: `the registry has no schema with id ${schemaId} (the record's ${what})` } };
    if (type instanceof Error) {
      return { failure: { condition: 'DESERIALIZATION_ERROR', message: `schema ${schemaId} is not an Avro schema the mapping can read: ${type.message}` } };
    }
    let datum: unknown;
    try {
      datum = type.fromBuffer(body);
    } catch (error) {
      return {
        failure: {
          condition: 'DESERIALIZATION_ERROR',
          message: `the record's ${what} does not deserialize with schema ${schemaId}: ${(error as Error).message}`,
        },
      };
    }
    const json = asJson(datum);
    const delivered = this.config.eventRecordFormat === 'JSON' ? json : Buffer.from(body);
    return { bytes: delivered, json, metadata: { dataFormat: 'AVRO', schemaId: String(schemaId) } };
  }

  /**
   * Schema versions never change under an id, so a mapping keeps what it found. An id the registry
   * does not have is asked again next time: it may be registered since.
   */
  private async typeOf(schemaId: number): Promise<avro.Type | Error | undefined> {
    const known = this.types.get(schemaId);
    if (known) return known;
    const asked = performance.now();
    this.cost.registryLookups++;
    let text: string | undefined;
    try {
      text = await this.lookup.schemaById(schemaId);
    } finally {
      this.cost.registryMs += performance.now() - asked;
    }
    if (text === undefined) return undefined;
    try {
      const type = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
      this.types.set(schemaId, type);
      return type;
    } catch (error) {
      return error as Error;
    }
  }
}

function attributeOf(record: PolledRecord, attribute: SchemaValidationAttribute): Buffer | null {
  return attribute === 'KEY' ? record.key : record.value;
}

/**
 * The decoded record as JSON text. AWS does not spell out its Avro-to-JSON mapping; the sandbox
 * writes the fields as plain JSON values (a union as its value, bytes as base64). SOURCE delivers
 * the Avro body as the producer wrote it, without the header, and filters still see this JSON.
 */
function asJson(datum: unknown): Buffer {
  return Buffer.from(JSON.stringify(datum, (_key, value) => (isSerializedBuffer(value) ? Buffer.from(value.data).toString('base64') : value)));
}

function isSerializedBuffer(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data);
}

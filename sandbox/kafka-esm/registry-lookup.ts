// The mapping's side of a Confluent-compatible schema registry: a schema by its id
// (GET /schemas/ids/{id}), as the ESM fetches it to validate a record.
import type { SchemaLookup } from './schema-decoder.ts';

/** Confluent's error code for "Schema not found" (HTTP 404). */
const SCHEMA_NOT_FOUND_CODE = 40403;

export function confluentSchemaLookup(baseUrl: string): SchemaLookup {
  return {
    async schemaById(id) {
      const response = await fetch(`${baseUrl}/schemas/ids/${id}`, { signal: AbortSignal.timeout(10_000) });
      const body = (await response.json().catch(() => ({}))) as { schema?: string; error_code?: number; message?: string };
      if (response.status === 404 && (body.error_code === undefined || body.error_code === SCHEMA_NOT_FOUND_CODE)) return undefined;
      if (!response.ok || typeof body.schema !== 'string') {
        throw new Error(`the schema registry at ${baseUrl} answered HTTP ${response.status} for schema ${id}${body.message ? `: ${body.message}` : ''}`);
      }
      return body.schema;
    },
  };
}

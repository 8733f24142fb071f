// Lambda event source mapping filtering for Kafka records (Amazon MSK and self-managed Apache
// Kafka), as the local sandbox applies it before invoking a function.
//
// Rules, from https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html:
//   - "Amazon MSK and self-managed Apache Kafka event source mappings only support filtering on
//     the value key." The record key, headers, topic, partition and offset cannot be filtered.
//   - "Lambda decodes Kafka byte arrays into UTF-8 before applying filter criteria." A value that
//     is valid JSON is filtered as JSON, { "value": { "device_ID": [ { "prefix": "AB" } ] } }; a
//     plain string is filtered as a string, { "value": [ { "anything-but": [ "error" ] } ] }.
//   - The table on that page: when the value's format (plain string / JSON) does not match the
//     pattern's format, or the value is not UTF-8, "Lambda filters (on the other metadata
//     properties only)". Kafka has no other filterable property, so here the value counts as
//     absent for that pattern: its conditions on the value fail, except {"exists": false}
//     (at any depth under "value"), which holds.
// And from https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html:
//   - Up to five filters per mapping by default (a quota increase allows 10), logically ORed; a
//     record that satisfies none is dropped (for Kafka its offset is still committed).
//   - A pattern is at most 4096 characters (API Filter.Pattern length constraint,
//     https://docs.aws.amazon.com/lambda/latest/api/API_Filter.html).
//
// Decisions the documentation leaves open:
//   - "Valid JSON" means a JSON object or array. A value that parses as a bare JSON scalar
//     (42, true, "text", null) is treated as the plain string it is written as.
//   - A record with a null value (a tombstone) has no value: only {"exists": false} matches it.
//     An empty value (zero bytes) is the empty plain string "" (the "Empty" operator matches).
//   - Trailing non-JSON text makes a value a plain string (the whole value must be one JSON value).
import { FILTER_PATTERN_MAX_CHARS, MAX_FILTERS_PER_MAPPING, MAX_FILTERS_WITH_QUOTA_INCREASE } from '../../labs/aws-limits.ts';
import { WorkshopError } from '../../labs/workshop-error.ts';
import { type CompiledPattern, compileNode, DOCS, EventPatternError, matchesPattern, type PatternDialect } from './event-pattern.ts';
import { fromJs, type JsonNode, JsonSyntaxError, parseJson, stringifyJson } from './json.ts';

export { EventPatternError } from './event-pattern.ts';

export const KAFKA_FILTERING_DOC = 'https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html';
const EVENT_FILTERING_DOC = 'https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html';
const FILTER_API_DOC = 'https://docs.aws.amazon.com/lambda/latest/api/API_Filter.html';

/** Filter.Pattern maximum length (API_Filter.html). */
export const MAX_PATTERN_LENGTH = FILTER_PATTERN_MAX_CHARS;
/** Filters per event source mapping: 5 by default, 10 with a quota increase. */
export const DEFAULT_MAX_FILTERS = MAX_FILTERS_PER_MAPPING;
export const QUOTA_MAX_FILTERS = MAX_FILTERS_WITH_QUOTA_INCREASE;

/** How a pattern reads the record value: as JSON (`"value": {...}`) or as a string (`"value": [...]`). */
export type ValueFormat = 'json' | 'plain-string';

export interface KafkaFilterPattern {
  /** The pattern as compact JSON (numbers as written). */
  readonly json: string;
  readonly format: ValueFormat;
  readonly compiled: CompiledPattern;
}

export interface ParseOptions {
  /** 'lambda' (default): Lambda's documented operators. 'eventbridge': all EventBridge operators. */
  dialect?: PatternDialect;
}

/** Thrown for a FilterCriteria with too many filters; patterns throw EventPatternError. */
export class FilterCriteriaError extends WorkshopError {
  constructor(message: string) {
    super(message, { category: 'badInput' });
    this.name = 'FilterCriteriaError';
  }
}

/**
 * Validates and compiles one Kafka filter pattern: the `Pattern` string of a FilterCriteria
 * filter, or the same pattern as an object. Throws EventPatternError naming the key, the problem
 * and the allowed form.
 */
export function parseFilterPattern(pattern: string | object, options: ParseOptions = {}): KafkaFilterPattern {
  let node: JsonNode;
  if (typeof pattern === 'string') {
    if (pattern.length > MAX_PATTERN_LENGTH) throw tooLong(pattern.length);
    try {
      node = parseJson(pattern);
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      throw new EventPatternError(
        '(pattern)',
        `the pattern is not valid JSON (${error.message})`,
        'a JSON object such as {"value": {"status": ["CONFIRMED"]}}',
        DOCS.patterns,
      );
    }
  } else {
    try {
      node = fromJs(pattern);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      throw new EventPatternError('(pattern)', error.message, 'plain JSON data', DOCS.patterns);
    }
    // The console and SAM store the object as JSON text: measure that.
    const length = JSON.stringify(pattern).length;
    if (length > MAX_PATTERN_LENGTH) throw tooLong(length);
  }
  const formats = valueFormats(node);
  const compiled = compileNode(node, { dialect: options.dialect ?? 'lambda' });
  return { json: stringifyJson(node), format: singleFormat(formats), compiled };
}

/**
 * Validates a whole FilterCriteria: an AWS-shaped `{ Filters: [{ Pattern }] }` or a plain list
 * of patterns. At most 5 filters (pass maxFilters up to 10 for a raised quota).
 */
export function parseFilterCriteria(
  criteria: { Filters?: ReadonlyArray<{ Pattern?: string }> } | ReadonlyArray<string | object>,
  options: ParseOptions & { maxFilters?: number } = {},
): KafkaFilterPattern[] {
  const max = options.maxFilters ?? DEFAULT_MAX_FILTERS;
  if (!(Number.isInteger(max) && max >= 1 && max <= QUOTA_MAX_FILTERS)) {
    throw new RangeError(`maxFilters is ${max}; Lambda allows 1..${QUOTA_MAX_FILTERS} (5 by default)`);
  }
  const patterns: Array<string | object> = Array.isArray(criteria)
    ? [...criteria]
    : ((criteria as { Filters?: ReadonlyArray<{ Pattern?: string }> }).Filters ?? []).map((filter, i) => {
        if (typeof filter?.Pattern !== 'string')
          throw new FilterCriteriaError(`Filters[${i}].Pattern must be a string (the pattern as JSON text). See ${FILTER_API_DOC}`);
        return filter.Pattern;
      });
  if (patterns.length > max) {
    throw new FilterCriteriaError(
      `FilterCriteria has ${patterns.length} filters; an event source mapping allows at most ${max} (5 by default, up to 10 with a quota increase). See ${EVENT_FILTERING_DOC}`,
    );
  }
  return patterns.map((pattern, i) => {
    try {
      return parseFilterPattern(pattern, options);
    } catch (error) {
      if (error instanceof EventPatternError) {
        throw new EventPatternError(`Filters[${i}] ${error.path}`, error.problem, error.expected, error.doc);
      }
      throw error;
    }
  });
}

function tooLong(length: number): EventPatternError {
  return new EventPatternError('(pattern)', `the pattern is ${length} characters long`, `at most ${MAX_PATTERN_LENGTH} characters`, FILTER_API_DOC);
}

/**
 * The value formats a Kafka pattern uses. The top level may hold only "value" (or "$or" whose
 * objects hold only "value"); other keys are refused here, before the general checks.
 */
function valueFormats(node: JsonNode): Set<ValueFormat> {
  const formats = new Set<ValueFormat>();
  if (node.type === 'object') collectFormats(node, '', formats);
  return formats;
}

/** After compiling: every "value" must use the same format, and there must be one. */
function singleFormat(formats: Set<ValueFormat>): ValueFormat {
  if (formats.size > 1) {
    throw new EventPatternError(
      'value',
      'the pattern filters the value both as JSON ("value": {...}) and as a plain string ("value": [...])',
      'one format per pattern; use separate filters (they are ORed) for JSON and plain-string records',
      KAFKA_FILTERING_DOC,
    );
  }
  const [format] = formats;
  if (format === undefined) {
    throw new EventPatternError(
      '(pattern)',
      'the pattern has no "value" key',
      'a pattern on the record value, e.g. {"value": {"status": ["CONFIRMED"]}} or {"value": [{"prefix": "Order"}]}',
      KAFKA_FILTERING_DOC,
    );
  }
  return format;
}

function collectFormats(node: JsonNode & { type: 'object' }, at: string, formats: Set<ValueFormat>): void {
  for (const [key, child] of node.entries) {
    const path = at === '' ? key : `${at}.${key}`;
    if (key === 'value') {
      if (child.type === 'object') formats.add('json');
      else if (child.type === 'array') formats.add('plain-string');
      // Anything else is reported by the compiler with the general message.
    } else if (key === '$or') {
      // A malformed $or is reported by the compiler.
      if (child.type !== 'array') continue;
      child.items.forEach((item, i) => {
        if (item.type === 'object') collectFormats(item, `${path}[${i}]`, formats);
      });
    } else {
      const hint = key === 'key' ? ' (the record key cannot be filtered)' : '';
      throw new EventPatternError(
        path,
        `"${key}" is not a filterable Kafka property${hint}; Amazon MSK and self-managed Apache Kafka event source mappings only support filtering on the value key`,
        'a single top-level key "value", e.g. {"value": {"status": ["CONFIRMED"]}}',
        KAFKA_FILTERING_DOC,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

/** The record value as Lambda's filter sees it. */
export type DecodedValue =
  | { readonly kind: 'json'; readonly node: JsonNode }
  | { readonly kind: 'plain-string'; readonly text: string }
  /** Not UTF-8: no filter can read it. */
  | { readonly kind: 'not-utf8' }
  /** A null value (tombstone). */
  | { readonly kind: 'absent' };

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Decodes a record value: bytes are decoded as strict UTF-8 (a malformed sequence makes the
 * value 'not-utf8'); a string is taken as already-decoded text; null means no value.
 */
export function decodeKafkaValue(value: Uint8Array | string | null | undefined): DecodedValue {
  if (value === null || value === undefined) return { kind: 'absent' };
  let text: string;
  if (typeof value === 'string') {
    // A string with a lone surrogate has no UTF-8 encoding, so no producer could have sent it.
    if (LONE_SURROGATE.test(value)) return { kind: 'not-utf8' };
    text = value;
  } else {
    try {
      text = UTF8.decode(value);
    } catch {
      return { kind: 'not-utf8' };
    }
  }
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    try {
      return { kind: 'json', node: parseJson(text) };
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
    }
  }
  return { kind: 'plain-string', text };
}

/** Decodes the base64 `value` of a record in a Lambda Kafka event (null stays null). */
export function decodeBase64Value(base64: string | null | undefined): Uint8Array | null {
  if (base64 === null || base64 === undefined) return null;
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(base64)) {
    throw new TypeError(`Kafka record value is not base64: ${JSON.stringify(base64.slice(0, 40))}`);
  }
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

const NO_VALUE: JsonNode = { type: 'object', entries: new Map() };

function eventFor(decoded: DecodedValue, format: ValueFormat): JsonNode {
  if (decoded.kind === 'json' && format === 'json') return { type: 'object', entries: new Map([['value', decoded.node]]) };
  if (decoded.kind === 'plain-string' && format === 'plain-string') {
    return { type: 'object', entries: new Map([['value', { type: 'string', value: decoded.text }]]) };
  }
  return NO_VALUE;
}

/** True if a decoded record value satisfies any of the patterns (true when there are none). */
export function decodedValueMatches(patterns: readonly KafkaFilterPattern[], decoded: DecodedValue): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => matchesPattern(pattern.compiled, eventFor(decoded, pattern.format)));
}

/**
 * True if a Kafka record with this value passes the event source mapping's filters: any pattern
 * matches, or there are no patterns. `valueBytes` is the raw value (Uint8Array), its text
 * (string), or null for a record without a value.
 */
export function kafkaRecordMatches(patterns: readonly KafkaFilterPattern[], valueBytes: Uint8Array | string | null): boolean {
  if (patterns.length === 0) return true;
  return decodedValueMatches(patterns, decodeKafkaValue(valueBytes));
}

/** kafkaRecordMatches for a record of a Lambda Kafka event, whose value is base64. */
export function kafkaEventRecordMatches(patterns: readonly KafkaFilterPattern[], record: { value?: string | null }): boolean {
  if (patterns.length === 0) return true;
  return kafkaRecordMatches(patterns, decodeBase64Value(record.value));
}

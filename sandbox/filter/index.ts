// Lambda event source mapping filtering for the local sandbox. See kafka-filter.ts for the Kafka
// rules and event-pattern.ts for the EventBridge pattern language and its sources.
export {
  compileEventPattern,
  compileNode,
  matchesPattern,
  EventPatternError,
  DOCS as EVENT_PATTERN_DOCS,
  type CompiledPattern,
  type CompileOptions,
  type PatternDialect,
} from './event-pattern.ts';
export {
  parseFilterPattern,
  parseFilterCriteria,
  kafkaRecordMatches,
  kafkaEventRecordMatches,
  decodeKafkaValue,
  decodeBase64Value,
  decodedValueMatches,
  FilterCriteriaError,
  KAFKA_FILTERING_DOC,
  MAX_PATTERN_LENGTH,
  DEFAULT_MAX_FILTERS,
  QUOTA_MAX_FILTERS,
  type KafkaFilterPattern,
  type ParseOptions,
  type ValueFormat,
  type DecodedValue,
} from './kafka-filter.ts';
export { parseJson, fromJs, stringifyJson, JsonSyntaxError, type JsonNode } from './json.ts';

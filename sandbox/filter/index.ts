// Lambda event source mapping filtering for the local sandbox. See kafka-filter.ts for the Kafka
// rules and event-pattern.ts for the EventBridge pattern language and its sources.
export {
  type CompiledPattern,
  type CompileOptions,
  compileEventPattern,
  compileNode,
  DOCS as EVENT_PATTERN_DOCS,
  EventPatternError,
  matchesPattern,
  type PatternDialect,
} from './event-pattern.ts';
export { fromJs, type JsonNode, JsonSyntaxError, parseJson, stringifyJson } from './json.ts';
export {
  DEFAULT_MAX_FILTERS,
  type DecodedValue,
  decodeBase64Value,
  decodedValueMatches,
  decodeKafkaValue,
  FilterCriteriaError,
  KAFKA_FILTERING_DOC,
  type KafkaFilterPattern,
  kafkaEventRecordMatches,
  kafkaRecordMatches,
  MAX_PATTERN_LENGTH,
  type ParseOptions,
  parseFilterCriteria,
  parseFilterPattern,
  QUOTA_MAX_FILTERS,
  type ValueFormat,
} from './kafka-filter.ts';

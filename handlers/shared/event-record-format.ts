// KafkaSchemaRegistryConfig.EventRecordFormat, in a file of its own so that reading a processor's
// settings does not pull the Avro libraries into every bundle.

/**
 * JSON: the mapping hands the function the decoded record; SOURCE: the Avro body as written, which
 * the function decodes (https://docs.aws.amazon.com/lambda/latest/api/API_KafkaSchemaRegistryConfig.html).
 */
export const EVENT_RECORD_FORMATS = ['JSON', 'SOURCE'] as const;
export type EventRecordFormat = (typeof EVENT_RECORD_FORMATS)[number];

// The AWS SDK's settings this project makes in its own process, in one place for the deploy's
// checks (labs/deploy/aws-checks.ts) and the AWS target (harness/targets/aws.ts).

/**
 * The AWS SDK warns, when a client is created, that its 2027 releases will need Node 22; the
 * workshop pins an SDK version and supports Node 20, so that warning would only bury our
 * one-line errors. The SDK's own switch turns it off; one set by the user is kept.
 */
export function quietSdkNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

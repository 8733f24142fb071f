// @ts-check
// The `context` object a Node.js Lambda handler receives (aws-lambda's Context type), built per
// invocation inside the execution environment.
// callbackWaitsForEmptyEventLoop is present and settable but has no effect here: the response is
// sent as soon as the handler's promise settles or its callback is called.

/**
 * @param {{ requestId: string, deadline: number, functionName: string, memoryMb: number,
 *           logGroupName: string, logStreamName: string, invokedFunctionArn: string }} invocation
 */
export function lambdaContext(invocation) {
  const { requestId, deadline } = invocation;
  return {
    awsRequestId: requestId,
    functionName: invocation.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: invocation.invokedFunctionArn,
    memoryLimitInMB: String(invocation.memoryMb),
    logGroupName: invocation.logGroupName,
    logStreamName: invocation.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    identity: undefined,
    clientContext: undefined,
    /** Milliseconds left before the function times out (never negative). */
    getRemainingTimeInMillis() {
      return Math.max(0, deadline - Date.now());
    },
  };
}

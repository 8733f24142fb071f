// The one base of the project's errors, as kafkajs has KafkaJSError (with `retriable`) and each
// Powertools package its own base: every error the workshop throws says what kind of problem it is
// (so the command's exit code is read from it, never guessed from a name or a message) and whether
// trying again shortly may succeed. It lives in labs/ because every layer that throws (labs,
// sandbox, harness) may import labs/; handlers run alone in Lambda and throw their own.

/** How `workshop`, `deploy` and `destroy` end. README's table of exit codes is tested against this. */
export const EXIT = {
  passed: { code: 0, meaning: 'every target passed' },
  targetFailed: { code: 1, meaning: 'a lab ran and missed a target' },
  badInput: { code: 2, meaning: 'bad input or a missing deployment: the line says what to change' },
  environment: { code: 3, meaning: 'the machine, a server or AWS: Java, a port, the broker, ElasticMQ, the network, Terraform, a throttled call' },
  unexpected: { code: 4, meaning: 'anything else: a bug in the workshop; the log holds what is needed to report it' },
} as const;

/** What kind of problem ended a command: what the person must change, if anything. */
export type ErrorCategory = 'badInput' | 'environment' | 'unexpected';

export interface WorkshopErrorOptions {
  category: ErrorCategory;
  /** Trying again shortly may succeed (a throttled call, a broker electing a leader). */
  transient?: boolean;
  cause?: unknown;
}

export class WorkshopError extends Error {
  readonly category: ErrorCategory;
  readonly transient: boolean;

  constructor(message: string, options: WorkshopErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.category = options.category;
    this.transient = options.transient ?? false;
  }

  /** The code a command exits with when this error ends it. */
  get exitCode(): number {
    return EXIT[this.category].code;
  }
}

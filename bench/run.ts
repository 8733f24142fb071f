// `npm run bench`: runs bench/bench.ts (the sandbox benchmarks of bench/cases.ts, all in one run on
// one Kafka broker; results under bench/results/) and passes Ctrl-C on to it once.
//
//   npm run bench                  every case (about 2-3 minutes on 2 cores)
//   npm run bench -- --quick       shortened cases, to try the bench itself (marked QUICK)
//   npm run bench -- --only <id>   one case (ids in bench/cases.ts); the broker is always started
//   npm run bench -- --profile     also profiles the main thread (results kept, latest.* untouched)
//
// Why a separate process: on Ctrl-C, sandbox/process.ts stops the broker from a synchronous signal
// hook that blocks the event loop until the JVM has exited (up to 5 s). tsx's CLI relays a signal
// to its child and, when the child does not acknowledge within 30 ms, SIGKILLs it (see
// relaySignalToChild in node_modules/tsx/dist/cli.mjs), so the bench's finally blocks (stopping
// the sandboxes, removing the broker's data dir, writing the partial results) would sometimes
// never run. Here the bench runs in its own process group, out of reach of the terminal's Ctrl-C
// and of tsx's relay; this launcher stays responsive and forwards the signal.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('./bench.ts', import.meta.url));

const child = spawn(process.execPath, ['--import', 'tsx', BENCH, ...process.argv.slice(2)], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  detached: true,
  env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
});

const forward = (signal: NodeJS.Signals) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward);

child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === 'SIGINT' ? 130 : 1));
});
child.on('error', (error) => {
  process.stderr.write(`Could not start the bench: ${error.message}\n`);
  process.exit(1);
});

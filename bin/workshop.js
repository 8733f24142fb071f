#!/usr/bin/env node
// `npx workshop ...`: runs the TypeScript CLI through tsx's loader, so there is no build step.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { runCli } = await import('../harness/cli.ts');
runCli(process.argv.slice(2));

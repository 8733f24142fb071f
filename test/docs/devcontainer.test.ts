// The dev container cannot be started here (no Docker), so what can be known without one is
// tested: its file holds only properties of the Dev Container spec, it runs the README's
// commands, and its image brings the Node.js and Java that `workshop doctor` requires.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_DASHBOARD_PORT } from '../../harness/dashboard/server.ts';
import { thisMachine } from '../../harness/doctor/doctor-command.ts';
import { componentInfo } from '../../sandbox/jars.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const container = JSON.parse(read('.devcontainer/devcontainer.json')) as Record<string, unknown>;

/** The image-based properties of https://containers.dev/implementors/json_reference/ this file may use. */
const SPEC_PROPERTIES = new Set([
  'name',
  'image',
  'features',
  'forwardPorts',
  'portsAttributes',
  'otherPortsAttributes',
  'containerEnv',
  'remoteEnv',
  'remoteUser',
  'containerUser',
  'updateRemoteUserUID',
  'hostRequirements',
  'initializeCommand',
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
  'waitFor',
  'customizations',
  'mounts',
  'runArgs',
  'workspaceFolder',
  'workspaceMount',
  'shutdownAction',
  'overrideCommand',
  'privileged',
  'capAdd',
  'securityOpt',
  'init',
]);

test('devcontainer.json holds only properties of the Dev Container spec, and an image', () => {
  assert.equal(
    Object.keys(container).filter((key) => !SPEC_PROPERTIES.has(key)),
    [],
  );
  assert.type(container.image, 'string');
});

test("it runs the README's commands: npm install, the jar fetch, then doctor", () => {
  const readme = read('README.md');
  const create = container.postCreateCommand as string;
  assert.ok(create.startsWith('npm install'), create);
  assert.match(readme, 'npm install');
  for (const script of create.split('&&').map((s) => s.trim())) {
    const run = /^npm run (\S+)/.exec(script)?.[1];
    if (run) assert.ok(JSON.parse(read('package.json')).scripts[run], `${script} names a package.json script`);
  }
  assert.is(container.postAttachCommand, 'npx workshop doctor');
  assert.ok((container.forwardPorts as number[]).includes(DEFAULT_DASHBOARD_PORT));
});

test('its image brings the Node.js the scripts run on and a Java the sandbox accepts', () => {
  const node = Number(/typescript-node:\d+-(\d+)/.exec(container.image as string)?.[1]);
  assert.is(node, thisMachine().scriptsNodeMajor, "the image's Node.js major is the scripts' Node.js");
  const java = Number((container.features as Record<string, { version: string }>)['ghcr.io/devcontainers/features/java:1'].version);
  assert.ok(java >= componentInfo('kafka').minJava, `Java ${java} runs Kafka`);
  assert.ok(java >= componentInfo('elasticmq').minJava, `Java ${java} runs ElasticMQ`);
  assert.ok(java >= componentInfo('schema-registry').minJava, `Java ${java} runs the schema registry`);
});

test.run();

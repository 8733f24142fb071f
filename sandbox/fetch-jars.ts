// Fetches and verifies the sandbox's jars up front (CI calls this before the tests):
//
//   npx tsx sandbox/fetch-jars.ts               Kafka, ElasticMQ and the schema registry
//   npx tsx sandbox/fetch-jars.ts kafka         one of them (kafka, elasticmq, schema-registry)
//
// The jars (and the schema registry's application archive, unpacked once) are those of
// sandbox/jvm/jars.lock.json, fetched over HTTPS from Maven Central (or
// $WORKSHOP_MAVEN_MIRROR) into $WORKSHOP_CACHE or ~/.cache/kafka-lambda-workshop; no Maven is
// needed. A second run only checks the cache. Exits 1 with one sentence on failure.

import { SandboxError } from './errors.ts';
import { COMPONENTS, type Component, componentInfo, ensureJars } from './jars.ts';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !(COMPONENTS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    console.error(`Unknown component ${unknown.join(', ')}; use ${COMPONENTS.join(' and/or ')} (or nothing for all of them).`);
    return 2;
  }
  const wanted = (args.length > 0 ? args : [...COMPONENTS]) as Component[];
  for (const component of wanted) {
    const info = componentInfo(component);
    const started = Date.now();
    try {
      const jars = await ensureJars(component, { log: (line) => console.log(line) });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`${info.label} ${jars.version}: ${jars.fetched ? `fetched in ${seconds} s` : `already cached (checked in ${seconds} s)`} in ${jars.dir}`);
    } catch (error) {
      if (error instanceof SandboxError) {
        console.error(error.message);
        return 1;
      }
      throw error;
    }
  }
  return 0;
}

process.exitCode = await main();

// The doctor's look at the sandbox's jars: every jar of the lock in the cache with its size and
// sha256 (hashed in full: a corrupt jar must be found here, not when Kafka fails to start).
import { ON_DEMAND_COMPONENTS } from '../../sandbox/jar-lock.ts';
import { COMPONENTS, cacheRoot, componentInfo, verifyJars } from '../../sandbox/jars.ts';

export async function jarsFinding(env: NodeJS.ProcessEnv): Promise<{ summary: string } | { problem: string }> {
  const found: string[] = [];
  for (const component of COMPONENTS) {
    const { label } = componentInfo(component);
    try {
      const check = await verifyJars(component, { env, full: true });
      const [first, ...more] = check.problems;
      if (first) {
        const missing = check.problems.every((p) => p.problem === 'missing') && check.problems.length === check.jars;
        if (missing && ON_DEMAND_COMPONENTS.includes(component)) {
          found.push(`${label} ${check.version} not fetched yet (only the schema registry lab needs it; its first run fetches it)`);
          continue;
        }
        const what = missing
          ? `the ${label} ${check.version} jars are not fetched yet`
          : `${first.detail}${more.length > 0 ? ` (and ${more.length} more ${label} jar problem${more.length === 1 ? '' : 's'})` : ''}`;
        return { problem: `${what}: run npm run sandbox:fetch (it fetches what is missing or corrupt, and nothing else).` };
      }
      found.push(`${label} ${check.version} (${check.jars} jars, sha256 checked in ${check.ms.toFixed(0)} ms)`);
    } catch (error) {
      return { problem: (error as Error).message.split('\n')[0] };
    }
  }
  return { summary: `jars: ${found.join(', ')} in ${cacheRoot(env)}` };
}

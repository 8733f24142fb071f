// `npm run bench -- --profile`: a V8 CPU profile of the bench's main thread (the ESM pollers and
// the Lambda runtime's bookkeeping run there), summarized as where its time went: by area (a
// package, a folder of this project, Node's internals, GC) and by function, self time only.
// The full profile is written next to the results, to open in Chrome DevTools or speedscope.
import { Session } from 'node:inspector/promises';
import { round } from '../harness/stats.ts';

/** The parts of a .cpuprofile this summary reads (Chrome DevTools Protocol Profiler.Profile). */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  seconds: number;
  /** Share of the profiled time, 0..1, idle included. */
  byArea: Array<{ area: string; share: number }>;
  byFunction: Array<{ fn: string; area: string; share: number }>;
}

/** node_modules/<package>, a top folder of this project (sandbox/kafka-esm), node:<module>, or V8's own (GC, idle). */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/')[0];
  const project = /\/(labs|modules|handlers|sandbox|harness|bench|test)\/(?:([^/]+)\/)?/.exec(url);
  if (project) return project[2] && !project[2].includes('.') ? `${project[1]}/${project[2]}` : project[1];
  return url;
}

function fileOf(url: string): string {
  const inPackage = url.lastIndexOf('node_modules/');
  if (inPackage >= 0) return url.slice(inPackage + 'node_modules/'.length);
  const m = /\/((?:labs|modules|handlers|sandbox|harness|bench|test)\/.*)$/.exec(url);
  return m ? m[1] : url;
}

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const selfUs = new Map<number, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    totalUs += dt;
  });
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, { area: string; us: number }>();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id);
    if (!us) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const fn = url ? `${functionName || '(anonymous)'} ${fileOf(url)}${lineNumber > 0 ? `:${lineNumber + 1}` : ''}` : functionName;
    const entry = byFunction.get(fn) ?? { area, us: 0 };
    entry.us += us;
    byFunction.set(fn, entry);
  }
  const share = (us: number) => (totalUs > 0 ? round(us / totalUs, 3) : 0);
  return {
    seconds: round(totalUs / 1e6, 1),
    byArea: [...byArea]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, us]) => ({ area, share: share(us) })),
    byFunction: [...byFunction]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([fn, { area, us }]) => ({ fn, area, share: share(us) })),
  };
}

/** Starts sampling this thread; stop() returns the profile. */
export async function startMainThreadProfile(): Promise<{ stop(): Promise<CpuProfile> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile as unknown as CpuProfile;
    },
  };
}

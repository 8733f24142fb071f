// What the numbers were measured on: they mean little without it.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { findJava } from '../sandbox/jars.ts';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  os: string;
  node: string;
  java: string;
  kafkajs: string;
  /** 1-minute load average when the bench started: above the core count, something else was busy. */
  loadAverageAtStart: number;
}

export function describeMachine(): MachineInfo {
  let java = 'not found';
  try {
    java = findJava('kafka').versionLine;
  } catch (error) {
    java = `not found (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    java,
    kafkajs: packageVersion('kafkajs'),
    loadAverageAtStart: Math.round(loadavg()[0] * 100) / 100,
  };
}

function packageVersion(name: string): string {
  try {
    const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function machineLines(m: MachineInfo, kafkaVersion: string | undefined): string[] {
  return [
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB, ${m.os}`,
    `Node ${m.node}, ${m.java}${kafkaVersion === undefined ? '' : `, Kafka ${kafkaVersion} (embedded broker)`}, kafkajs ${m.kafkajs}`,
    `These numbers are from a ${m.cores}-core machine: the broker JVM, the ESM pollers, every Lambda worker thread, the producer and the baseline consumer all share those ${m.cores} cores.`,
    `Load average (1 min) when the bench started: ${m.loadAverageAtStart}${m.loadAverageAtStart >= m.cores * 0.5 ? ` (other work was running; see the "elsewhere cores" columns)` : ''}.`,
  ];
}

/** The machine the figures were measured on, as RESULTS.md and results.json record it. */
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  os: string;
  node: string;
  /** 1-minute load averages when the run began and ended: other work on a shared machine shows here. */
  loadAtStart: number;
  loadAtEnd?: number;
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

export function describeMachine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    os: osName(),
    node: process.version,
    loadAtStart: loadAverage(),
  };
}

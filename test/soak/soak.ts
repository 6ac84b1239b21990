/**
 * `npm run soak [-- --minutes N --workers N --record]`: one master with 50
 * workers for 10 minutes under steady churn — chatty workers, crashing
 * workers under `restart: always`, a restart by RPC every 2 s, a reload
 * every 10 s (every third one invalid: wait mode, then out of it), a client
 * following every log and one subscribed to status. The master's RSS and
 * open fds are sampled every few seconds.
 *
 * Flat after warm-up means: the median of the last third of the samples is
 * within FLAT_TOLERANCE of the median of the second third (the first third
 * is warm-up), for RSS and for fds. Prints a per-minute table and the
 * summary row; exits 1 if not flat, if a process leaked, or a worker is lost.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { LogNotification, LogsRequest, ReloadRequest, RestartWorkerRequest, StatusChangedNotification, SubscribeRequest, type StatusSnapshot } from '../../shared/protocol';
import { cleanup, cli, connectRpc, makeWorkspace, status, up, waitForWorkersUp, writeConfig, type Workspace } from '../helpers/master';
import { markedProcesses, sleep } from '../helpers/procs';
import { fdCount, median, rssKiB } from '../chaos/harness';

const FLAT_TOLERANCE = 0.1;
const CRASHERS = 5;

interface Options {
  minutes: number;
  workers: number;
  sampleSeconds: number;
  record: boolean;
}

interface Sample {
  seconds: number;
  rssKiB: number;
  fds: number;
  up: number;
}

function parseOptions(argv: string[]): Options {
  const value = (flag: string, fallback: number) => {
    const at = argv.indexOf(flag);
    const parsed = at >= 0 ? Number(argv[at + 1]) : fallback;
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${flag} needs a positive number`);
    return parsed;
  };
  return { minutes: value('--minutes', 10), workers: value('--workers', 50), sampleSeconds: value('--sample-seconds', 5), record: argv.includes('--record') };
}

/** `version` changes the env of five workers (rotating), so each reload restarts a few; `valid: false` adds an error. */
function soakConfig(workers: number, version: number, valid = true): string {
  const lines = ['version: 1', 'workers:'];
  for (let i = 0; i < workers; i += 1) {
    const crasher = i < CRASHERS;
    lines.push(`  w${i}:`);
    lines.push(crasher ? `    command: sh -c 'echo starting; sleep 3; echo crashing >&2; exit 1'` : `    command: sh -c 'while :; do echo tick $$; sleep 1; done'`);
    lines.push(`    restart: ${crasher ? 'always' : 'on-failure'}`);
    lines.push(`    stop: { timeout: 2s }`);
    lines.push(`    env: { ROUND: "${i % 10 === version % 10 ? version : 0}" }`);
  }
  if (!valid) lines.push('    replicas: lots');
  return `${lines.join('\n')}\n`;
}

class Churn {
  reloads = 0;
  invalidReloads = 0;
  restarts = 0;
  errors: string[] = [];

  constructor(
    private readonly ws: Workspace,
    private readonly connection: MessageConnection,
    private readonly workers: number,
  ) {}

  async restartOne(): Promise<void> {
    const name = `w${CRASHERS + Math.floor(Math.random() * (this.workers - CRASHERS))}`;
    await this.connection.sendRequest(RestartWorkerRequest.type, { name }).catch((error: Error) => this.errors.push(`restart ${name}: ${error.message}`));
    this.restarts += 1;
  }

  async reload(): Promise<void> {
    this.reloads += 1;
    const valid = this.reloads % 3 !== 0;
    if (!valid) this.invalidReloads += 1;
    writeConfig(this.ws, soakConfig(this.workers, this.reloads, valid));
    const result = await this.connection.sendRequest(ReloadRequest.type, { trigger: 'rpc' });
    if (result.ok !== valid) this.errors.push(`reload ${this.reloads}: expected ok=${valid}, got ${result.error?.message ?? 'ok'}`);
  }
}

function flat(samples: Sample[], pick: (s: Sample) => number): { second: number; last: number; ok: boolean } {
  const third = Math.floor(samples.length / 3);
  const second = median(samples.slice(third, 2 * third).map(pick));
  const last = median(samples.slice(2 * third).map(pick));
  return { second, last, ok: last <= second * (1 + FLAT_TOLERANCE) };
}

function perMinute(samples: Sample[]): string {
  const rows = ['| minute | RSS MiB (median) | fds (median) | workers up (min) |', '| --- | --- | --- | --- |'];
  const minutes = Math.ceil((samples.at(-1)?.seconds ?? 0) / 60);
  for (let m = 0; m < minutes; m += 1) {
    const inMinute = samples.filter((s) => s.seconds >= m * 60 && s.seconds < (m + 1) * 60);
    if (inMinute.length === 0) continue;
    rows.push(`| ${m + 1} | ${(median(inMinute.map((s) => s.rssKiB)) / 1024).toFixed(1)} | ${median(inMinute.map((s) => s.fds))} | ${Math.min(...inMinute.map((s) => s.up))} |`);
  }
  return rows.join('\n');
}

interface Observed {
  latest?: StatusSnapshot;
  loggedLines: number;
}

/** Subscribes to status and follows every log line, as the extension and `steward logs -f` do. */
async function observe(connection: MessageConnection): Promise<Observed> {
  const observed: Observed = { loggedLines: 0 };
  connection.onNotification(StatusChangedNotification.method, (snapshot: StatusSnapshot) => {
    observed.latest = snapshot;
  });
  connection.onNotification(LogNotification.type, ({ blocks }) => {
    observed.loggedLines += blocks.reduce((sum, block) => sum + block.text.split('\n').length, 0);
  });
  observed.latest = await connection.sendRequest(SubscribeRequest.type, {});
  await connection.sendRequest(LogsRequest.type, { follow: true, lines: 0 });
  return observed;
}

/** The churn loop: a restart every 2 s, a reload every 10 s, a sample every `sampleSeconds`. */
async function churnFor(options: Options, churn: Churn, masterPid: number, observed: Observed): Promise<Sample[]> {
  const samples: Sample[] = [];
  const started = Date.now();
  const end = started + options.minutes * 60_000;
  let nextSample = started;
  let nextReload = started + 10_000;
  while (Date.now() < end) {
    if (Date.now() >= nextSample) {
      const up = observed.latest?.workers.filter((w) => w.state === 'running' || w.state === 'ready').length ?? 0;
      samples.push({ seconds: Math.round((Date.now() - started) / 1000), rssKiB: rssKiB(masterPid), fds: fdCount(masterPid), up });
      nextSample += options.sampleSeconds * 1000;
    }
    if (Date.now() >= nextReload) {
      await churn.reload();
      nextReload += 10_000;
    }
    await churn.restartOne();
    await sleep(2_000);
  }
  return samples;
}

interface Outcome {
  samples: Sample[];
  churn: Churn;
  final: StatusSnapshot;
  leaked: number;
  loggedLines: number;
}

const isCrasher = (name: string) => /^w[0-4]$/.test(name);

function render(options: Options, { samples, churn, final, leaked, loggedLines }: Outcome): { report: string; failed: boolean } {
  const rss = flat(samples, (s) => s.rssKiB);
  const fds = flat(samples, (s) => s.fds);
  const lost = options.workers - CRASHERS - final.workers.filter((w) => !isCrasher(w.name) && (w.state === 'running' || w.state === 'ready')).length;
  const crashes = final.workers.filter((w) => isCrasher(w.name)).reduce((sum, w) => sum + w.restarts, 0);
  const faults = churn.restarts + churn.reloads + crashes;
  const failed = !rss.ok || !fds.ok || leaked > 0 || lost > 0 || churn.errors.length > 0;
  const report = [
    `Soak of ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}: ${options.workers} workers, ${options.minutes} min, sample every ${options.sampleSeconds} s, ${samples.length} samples, ${loggedLines} log lines followed.`,
    '',
    perMinute(samples),
    '',
    '| scenario | iterations | faults injected | survived | processes leaked | data lost | notes |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| soak (${options.workers} workers, ${options.minutes} min) | ${churn.reloads + churn.restarts} | ${faults} (${churn.restarts} restarts, ${churn.reloads} reloads of which ${churn.invalidReloads} invalid, ${crashes} crashes) | ${failed ? 'NO' : faults} | ${leaked} | ${lost} | RSS median ${(rss.second / 1024).toFixed(1)} → ${(rss.last / 1024).toFixed(1)} MiB (${rss.ok ? 'flat' : 'GROWING'}), fds ${fds.second} → ${fds.last} (${fds.ok ? 'flat' : 'GROWING'}) |`,
    ...(churn.errors.length > 0 ? ['', 'Errors:', ...churn.errors.map((e) => `- ${e}`)] : []),
  ].join('\n');
  return { report, failed };
}

async function soak(options: Options): Promise<number> {
  const ws = makeWorkspace('soak', soakConfig(options.workers, 0));
  let result = { report: '', failed: true };
  try {
    await up(ws);
    const masterPid = (await waitForWorkersUp(ws, 60_000).catch(() => status(ws))).pid;
    const { connection } = await connectRpc(ws);
    const observed = await observe(connection);
    const churn = new Churn(ws, connection, options.workers);
    const samples = await churnFor(options, churn, masterPid, observed);
    await churn.reload(); // leaves wait mode if the last one was invalid
    const final = await waitForWorkersUp(ws, 30_000).catch(() => status(ws));
    connection.dispose();
    await cli(ws, ['down'], 60_000);
    await sleep(3_000);
    result = render(options, { samples, churn, final, leaked: markedProcesses(ws.marker).length, loggedLines: observed.loggedLines });
  } finally {
    await cleanup(ws).catch((error: Error) => {
      result = { report: `${result.report}\ncleanup: ${error.message}`, failed: true };
    });
  }
  process.stdout.write(`${result.report}\n`);
  if (options.record) recordSoak(result.report);
  return result.failed ? 1 : 0;
}

function recordSoak(report: string): void {
  const file = resolve(__dirname, '../RELIABILITY.md');
  const [begin, end] = ['<!-- soak-figures:begin -->', '<!-- soak-figures:end -->'];
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} lacks the soak markers`);
  writeFileSync(file, `${text.slice(0, from + begin.length)}\n${report}\n${text.slice(to)}`);
}

soak(parseOptions(process.argv.slice(2))).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`soak failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);

/**
 * invalid-to-wait and invalid-to-diagnostic. Steward: from the reload request
 * on an open socket to the `steward/statusChanged` notification that shows
 * wait mode, and from the save of a broken steward.yaml in an LSP session to
 * `textDocument/publishDiagnostics`; its CLI is timed too (`steward-cli`).
 * The peers: how long their usual "apply the config" command takes to say
 * what is wrong, what it says, and whether the workers survive it.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { ReloadRequest, StatusChangedNotification, type StatusSnapshot, SubscribeRequest } from '../../shared/protocol';
import { type Fleet, makeFleet } from '../lib/fleet';
import type { RowKey } from '../lib/results';
import { now } from '../lib/timing';
import { assertKept, type PidMap, waitUp } from '../lib/verify';
import { connectMaster, nextNotification } from '../tools/steward-client';
import { type StewardSession, stewardYaml } from '../tools/steward';
import type { ToolDriver, ToolSession } from '../tools/tool';
import { type BenchContext, withSession } from './context';

interface Diagnostics {
  uri: string;
  diagnostics: unknown[];
}

async function waitModeOverSocket(context: BenchContext, session: StewardSession, key: RowKey): Promise<void> {
  const connection = await session.connection();
  await connection.sendRequest(SubscribeRequest.type, {});
  for (let rep = 0; rep < context.settings.reps; rep++) {
    session.writeConfig(session.fleet, true);
    const inWait = nextNotification<StatusSnapshot>(connection, StatusChangedNotification.method, (status) => status.state === 'wait' && status.lastReload?.trigger === 'rpc');
    const started = now();
    const reply = connection.sendRequest(ReloadRequest.type, { trigger: 'rpc' });
    await inWait;
    context.recorder.sample(key, 'ms', now() - started);
    if ((await reply).ok) throw new Error('steward accepted a broken config');
    session.writeConfig(session.fleet);
    await session.reloadOverSocket(false);
  }
}

async function openLspDocument(session: StewardSession): Promise<{ lsp: MessageConnection; uri: string }> {
  const lsp = await connectMaster(session.runtimeDir);
  const root = pathToFileURL(session.config.replace(/\/[^/]*$/, '')).href;
  await lsp.sendRequest('initialize', { processId: process.pid, rootUri: root, capabilities: {}, workspaceFolders: [{ uri: root, name: 'bench' }] });
  await lsp.sendNotification('initialized', {});
  const uri = pathToFileURL(session.config).href;
  await lsp.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: stewardYaml(session.fleet) } });
  return { lsp, uri };
}

/** Saves `text` the way an editor does (file written, then didChange + didSave); resolves with the diagnostics that answer it. */
async function saveAndAwait(lsp: MessageConnection, session: StewardSession, version: number, text: string, wantErrors: boolean): Promise<number> {
  const uri = pathToFileURL(session.config).href;
  writeFileSync(session.config, text);
  const published = nextNotification<Diagnostics>(lsp, 'textDocument/publishDiagnostics', (params) => decodeURIComponent(params.uri) === decodeURIComponent(uri) && params.diagnostics.length > 0 === wantErrors);
  const started = now();
  await lsp.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  await lsp.sendNotification('textDocument/didSave', { textDocument: { uri }, text });
  await published;
  return now() - started;
}

async function diagnosticOverLsp(context: BenchContext, session: StewardSession, key: RowKey): Promise<void> {
  const { lsp } = await openLspDocument(session);
  try {
    for (let rep = 0; rep < context.settings.reps; rep++) {
      context.recorder.sample(key, 'ms', await saveAndAwait(lsp, session, 2 + rep * 2, stewardYaml(session.fleet, true), true));
      await saveAndAwait(lsp, session, 3 + rep * 2, stewardYaml(session.fleet), false);
    }
  } finally {
    lsp.dispose();
  }
}

function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/** The tool's own CLI "apply config" with a broken config: time, words, exit code, and whether the workers lived. */
async function cliRejection(context: BenchContext, session: ToolSession, fleet: Fleet, pids: PidMap, key: RowKey): Promise<void> {
  for (let rep = 0; rep < context.settings.reps; rep++) {
    const started = now();
    const rejection = await session.applyInvalid();
    context.recorder.sample(key, 'ms', now() - started);
    const said = stripAnsi(rejection.said).split('\n').slice(0, 3).join(' / ').slice(0, 300);
    context.recorder.note(key, `exit ${rejection.exitCode}: "${said}"`);
  }
  assertKept(context.index, fleet, pids);
  context.recorder.note(key, 'all workers kept their pids');
}

export async function runInvalid(context: BenchContext, log: (line: string) => void): Promise<void> {
  const count = Math.max(...context.settings.counts);
  for (const driver of context.drivers) {
    log(`invalid ${driver.name} sleep x${count}`);
    try {
      await invalidFor(context, driver, count);
    } catch (error) {
      context.recorder.fail(`invalid ${driver.name}`, error);
    }
  }
}

async function invalidFor(context: BenchContext, driver: ToolDriver, count: number): Promise<void> {
  const fleet = makeFleet('sleep', count);
  const key = (scenario: string, tool: string): RowKey => ({ scenario, tool, workers: 'sleep', n: count });
  await withSession(context, driver, fleet, async (session) => {
    await session.start();
    const pids = await waitUp(context.index, fleet);
    if (driver.name === 'steward') {
      const steward = session as StewardSession;
      await waitModeOverSocket(context, steward, key('invalid-to-wait', 'steward'));
      await diagnosticOverLsp(context, steward, key('invalid-to-diagnostic', 'steward'));
      await cliRejection(context, session, fleet, pids, key('invalid-to-wait', 'steward-cli'));
      await steward.reloadOverSocket(false);
    } else {
      await cliRejection(context, session, fleet, pids, key('invalid-to-wait', driver.name));
    }
    assertKept(context.index, fleet, pids);
    await session.stop();
  });
}

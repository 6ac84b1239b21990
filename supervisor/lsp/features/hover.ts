/**
 * Hover: a key's documentation and example (from the key table); a worker
 * name (its key or a depends_on use) shows the worker's live state in the
 * master.
 */
import { MarkupKind, type Hover } from 'vscode-languageserver';
import type { WorkerStatus } from '../../../shared/protocol';
import type { ParsedConfig } from '../../config/check';
import { keySpecAt } from '../../config/keys';
import type { Position } from '../../config/model';
import { keyMarkdown } from './keyDocs';
import { keyEntryAt, workerNameAt } from './outlineLookup';
import { describeInstance, instancesOf, NOT_RUNNING } from './workerState';

/** `live` is the master's worker list when the document is the master's config, else undefined. */
export function hoverAt(parsed: ParsedConfig, position: Position, live: readonly WorkerStatus[] | undefined, now: number): Hover | null {
  const site = workerNameAt(parsed.outline, position);
  if (site) return { contents: { kind: MarkupKind.Markdown, value: workerMarkdown(site.name, live, now) }, range: site.range };
  const entry = keyEntryAt(parsed.outline, position);
  const spec = entry && keySpecAt(entry.path);
  if (!entry || !spec) return null;
  return { contents: { kind: MarkupKind.Markdown, value: keyMarkdown(entry.key, spec) }, range: entry.keyRange };
}

function workerMarkdown(name: string, live: readonly WorkerStatus[] | undefined, now: number): string {
  const title = `**worker \`${name}\`**`;
  if (!live) return `${title}\n\n(live state is shown for the master's own config file)`;
  const instances = instancesOf(live, name);
  if (instances.length === 0) return `${title}\n\n${NOT_RUNNING}`;
  if (instances.length === 1) return `${title}\n\n${describeInstance(instances[0], now)}`;
  return `${title}\n\n${instances.map((worker) => `- instance ${worker.instance}: ${describeInstance(worker, now)}`).join('\n')}`;
}

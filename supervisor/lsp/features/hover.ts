/**
 * Hover: a key's documentation and example (from the key table); a worker
 * name (its key or a depends_on use) shows the worker's live state in the
 * master; an env file's path, the variables it sets (names only: values are
 * often secrets).
 */
import { MarkupKind, type Hover } from 'vscode-languageserver';
import type { WorkerStatus } from '../../../shared/protocol';
import type { ParsedConfig } from '../../config/check';
import { keySpecAt } from '../../config/keys';
import type { Position } from '../../config/model';
import { contains } from '../../config/ranges';
import { keyMarkdown } from './keyDocs';
import { keyEntryAt, workerNameAt } from './outlineLookup';
import { describeInstance, instancesOf, NOT_RUNNING } from './workerState';

/** `live` is the master's worker list when the document is the master's config, else undefined. */
export function hoverAt(parsed: ParsedConfig, position: Position, live: readonly WorkerStatus[] | undefined, now: number): Hover | null {
  const site = workerNameAt(parsed.outline, position);
  if (site) return { contents: { kind: MarkupKind.Markdown, value: workerMarkdown(site.name, live, now) }, range: site.range };
  const file = parsed.outline.files.find((candidate) => contains(candidate.range, { start: position, end: position }));
  if (file) return { contents: { kind: MarkupKind.Markdown, value: envFileMarkdown(file.path, file.names) }, range: file.range };
  const entry = keyEntryAt(parsed.outline, position);
  const spec = entry && keySpecAt(entry.path);
  if (!entry || !spec) return null;
  return { contents: { kind: MarkupKind.Markdown, value: keyMarkdown(entry.key, spec) }, range: entry.keyRange };
}

function envFileMarkdown(path: string, names: string[]): string {
  const sets = names.length === 0 ? 'sets no variable' : `sets ${names.map((name) => `\`${name}\``).join(', ')}`;
  return `**env file** \`${path}\`\n\n${sets} (a worker's own \`env\` wins over it)`;
}

function workerMarkdown(name: string, live: readonly WorkerStatus[] | undefined, now: number): string {
  const title = `**worker \`${name}\`**`;
  if (!live) return `${title}\n\n(live state is shown for the master's own config file)`;
  const instances = instancesOf(live, name);
  if (instances.length === 0) return `${title}\n\n${NOT_RUNNING}`;
  if (instances.length === 1) return `${title}\n\n${describeInstance(instances[0], now)}`;
  return `${title}\n\n${instances.map((worker) => `- instance ${worker.instance}: ${describeInstance(worker, now)}`).join('\n')}`;
}

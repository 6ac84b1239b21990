/** What is under a position, according to the checker's outline. */
import { distinctBy } from '../../config/distinct';
import type { Position, Range } from '../../config/model';
import type { ConfigOutline, OutlineEntry } from '../../config/outline';

/** Inclusive at both ends: a cursor just after a name is still on it. */
export function containsPosition(range: Range, position: Position): boolean {
  const afterStart = position.line > range.start.line || (position.line === range.start.line && position.character >= range.start.character);
  const beforeEnd = position.line < range.end.line || (position.line === range.end.line && position.character <= range.end.character);
  return afterStart && beforeEnd;
}

export interface WorkerNameSite {
  name: string;
  range: Range;
  /** The worker's own key, or a use of its name in some depends_on. */
  kind: 'declaration' | 'reference';
}

export function workerNameAt(outline: ConfigOutline, position: Position): WorkerNameSite | undefined {
  const declaration = outline.workers.find((worker) => containsPosition(worker.keyRange, position));
  if (declaration) return { name: declaration.name, range: declaration.keyRange, kind: 'declaration' };
  const reference = outline.references.find((ref) => containsPosition(ref.range, position));
  return reference && { name: reference.name, range: reference.range, kind: 'reference' };
}

/**
 * Every place `name` is written as a worker name: its key (first, when
 * declared) and each depends_on use — once, though a depends_on in an
 * anchored mapping that several workers merge is a reference of each.
 */
export function workerNameSites(outline: ConfigOutline, name: string): WorkerNameSite[] {
  const declaration = outline.workers.find((worker) => worker.name === name);
  const uses = outline.references.filter((ref) => ref.name === name);
  const references = distinctBy(uses, (ref) => `${ref.range.start.line}:${ref.range.start.character}`);
  return [
    ...(declaration ? [{ name, range: declaration.keyRange, kind: 'declaration' as const }] : []),
    ...references.map((ref) => ({ name, range: ref.range, kind: 'reference' as const })),
  ];
}

/** The innermost key whose key text holds `position`. */
export function keyEntryAt(outline: ConfigOutline, position: Position): OutlineEntry | undefined {
  let found: OutlineEntry | undefined;
  for (const map of outline.maps) {
    for (const entry of map.entries) {
      if (containsPosition(entry.keyRange, position) && (!found || entry.path.length > found.path.length)) found = entry;
    }
  }
  return found;
}

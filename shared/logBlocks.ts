/**
 * Output travels and is kept in blocks (the lines of one pipe read joined by
 * '\n', see LogBlock in protocol.ts); these turn a block back into lines
 * where something needs them one by one (tails, log probes, terminals).
 */
import type { LogBlock, LogLine } from './protocol';

/** The lines of a block, each with the block's worker, instance, stream and time. */
export function linesOf(block: LogBlock): LogLine[] {
  const { worker, instance, stream, time } = block;
  return block.text.split('\n').map((text) => ({ worker, instance, stream, time, text }));
}

/** The last `n` lines of a block, oldest first; cheaper than `linesOf` when n is small. */
export function lastLinesOf(block: LogBlock, n: number): LogLine[] {
  if (n <= 0) return [];
  let newline = block.text.length;
  for (let found = 0; found < n; found += 1) {
    newline = newline > 0 ? block.text.lastIndexOf('\n', newline - 1) : -1;
    if (newline < 0) return linesOf(block);
  }
  return linesOf({ ...block, text: block.text.slice(newline + 1) });
}

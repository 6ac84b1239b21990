/**
 * Durations in steward.yaml: a number with a unit — `500ms`, `5s`, `1.5m`,
 * `1h` — or a sum of them, `1m30s`. A bare number is refused rather than
 * guessed (is `timeout: 5` five seconds or five milliseconds?).
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Anchored pattern for the JSON Schema; the parser below accepts exactly this. */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';
const WHOLE = new RegExp(DURATION_PATTERN);
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;

/** Milliseconds (rounded), or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit];
  return Math.round(total);
}

/**
 * Validation of steward/* request params. JSON-RPC gives us `unknown`; a
 * client (or a fuzzer) can send anything, so every field is checked and a
 * wrong one answered with InvalidParams naming the field — before the
 * master sees it.
 */
import { ErrorCodes as RpcErrorCodes, ResponseError } from 'vscode-jsonrpc/node';
import { MAX_LOG_LINES, type LogsParams, type ReloadParams, type ReloadTrigger, type WorkerParams } from '../../shared/protocol';

const TRIGGERS: readonly ReloadTrigger[] = ['cli', 'rpc', 'command', 'signal', 'save'];

function invalid(message: string): ResponseError<void> {
  return new ResponseError(RpcErrorCodes.InvalidParams, `invalid params: ${message}`);
}

/** Absent params (undefined / null) read as an empty object. */
function asObject(params: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) throw invalid('expected an object');
  const record = params as Record<string, unknown>;
  const unknownKey = Object.keys(record).find((key) => !allowed.includes(key));
  if (unknownKey !== undefined) throw invalid(`unknown field '${unknownKey}' (allowed: ${allowed.join(', ') || 'none'})`);
  return record;
}

function optionalBoolean(record: Record<string, unknown>, key: string): boolean | undefined {
  const value = record[key];
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalid(`'${key}' must be a boolean`);
}

function optionalInteger(record: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = record[key];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw invalid(`'${key}' must be an integer from ${min} to ${max}`);
}

function workerName(value: unknown, key: string): string {
  if (typeof value === 'string' && value.length > 0 && value.length <= 200) return value;
  throw invalid(`'${key}' must be a worker name (a non-empty string)`);
}

export function parseEmptyParams(params: unknown): void {
  asObject(params, []);
}

export function parseReloadParams(params: unknown): ReloadParams {
  const record = asObject(params, ['all', 'dryRun', 'trigger']);
  const trigger = record.trigger;
  if (trigger !== undefined && !TRIGGERS.includes(trigger as ReloadTrigger)) {
    throw invalid(`'trigger' must be one of ${TRIGGERS.join(', ')}`);
  }
  return { all: optionalBoolean(record, 'all'), dryRun: optionalBoolean(record, 'dryRun'), trigger: trigger as ReloadTrigger | undefined };
}

export function parseWorkerParams(params: unknown): WorkerParams {
  if (params === undefined || params === null) throw invalid("'name' is required");
  const record = asObject(params, ['name', 'instance']);
  return { name: workerName(record.name, 'name'), instance: optionalInteger(record, 'instance', 0, 10_000) };
}

const MAX_LOG_WORKERS = 10_000;

function workerNames(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || value.length > MAX_LOG_WORKERS) throw invalid(`'${key}' must be a list of at most ${MAX_LOG_WORKERS} worker names`);
  return value.map((name, index) => workerName(name, `${key}[${index}]`));
}

export function parseLogsParams(params: unknown): LogsParams {
  const record = asObject(params, ['worker', 'workers', 'lines', 'follow']);
  if (record.worker !== undefined && record.workers !== undefined) throw invalid("give 'worker' or 'workers', not both");
  return {
    worker: record.worker === undefined ? undefined : workerName(record.worker, 'worker'),
    workers: record.workers === undefined ? undefined : workerNames(record.workers, 'workers'),
    lines: optionalInteger(record, 'lines', 0, MAX_LOG_LINES),
    follow: optionalBoolean(record, 'follow'),
  };
}

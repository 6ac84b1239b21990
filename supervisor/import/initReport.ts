/**
 * What `steward init` tells: a short text for people, or the InitReport JSON
 * (shared/protocol) for programs such as the extension's welcome view.
 */
import { relative } from 'node:path';
import type { InitReport, LocatedError } from '../../shared/protocol';
import { toLocatedError } from '../config/check';
import type { ConfigDiagnostic } from '../config/model';
import { describeNote } from './emit';
import type { ImportError } from './model';
import type { WorkspaceImport } from './importWorkspace';

export interface InitOutcome {
  imported: WorkspaceImport;
  /** Absolute path of steward.yaml. */
  config: string;
  written: boolean;
  /** The checker's verdict on the generated text. */
  diagnostics: ConfigDiagnostic[];
}

export function successReport({ imported, config, written, diagnostics }: InitOutcome): InitReport {
  const { result, source, yaml } = imported;
  return {
    ok: true,
    source: { kind: result.kind, file: source },
    config,
    written,
    workers: result.workers.map(({ name, command }) => ({ name, command })),
    notes: result.notes,
    diagnostics: diagnostics.map((diagnostic) => ({ ...toLocatedError(diagnostic, config), severity: diagnostic.severity })),
    yaml,
  };
}

export function failureReport(error: ImportError): InitReport {
  const located: LocatedError = { message: error.message, file: error.file };
  if (error.line !== undefined) located.line = error.line;
  if (error.column !== undefined) located.column = error.column;
  return { ok: false, error: located };
}

/** The human summary: source, workers, what did not translate, the checker's findings, the result. */
export function textReport({ imported, config, written, diagnostics }: InitOutcome, cwd: string): string {
  const { result } = imported;
  const shownConfig = relative(cwd, config) || config;
  const names = result.workers.map((worker) => worker.name).join(', ');
  const lines = [`Imported ${plural(result.workers.length, 'worker')} from ${relative(cwd, imported.source) || imported.source}: ${names}`];
  if (result.notes.length > 0) {
    lines.push('Not translated or changed on the way (also noted as comments in the file):');
    lines.push(...result.notes.map((note) => `  ${describeNote(note)}`));
  }
  for (const diagnostic of diagnostics) {
    const { line, column } = toLocatedError(diagnostic, config);
    lines.push(`${shownConfig}:${line}:${column}: ${diagnostic.severity}: ${diagnostic.message}`);
  }
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  if (!written) lines.push(`Dry run: ${shownConfig} not written.`);
  else if (errors > 0) lines.push(`Wrote ${shownConfig}, but it has ${plural(errors, 'error')} (above) to fix before \`steward up\`.`);
  else lines.push(`Wrote ${shownConfig}. Start the workers with \`steward up\`.`);
  return `${lines.join('\n')}\n`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

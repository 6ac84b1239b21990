/**
 * Worker names as symbols: go to definition (a depends_on use → the
 * worker's key), find references, and rename (the key and every depends_on
 * use, list and map forms alike).
 */
import { ErrorCodes, ResponseError, type Location, type Range, type WorkspaceEdit } from 'vscode-languageserver';
import type { ParsedConfig } from '../../config/check';
import { WORKER_NAME_PATTERN } from '../../config/keys';
import type { Position } from '../../config/model';
import { workerNameAt, workerNameSites } from './outlineLookup';

const WORKER_NAME = new RegExp(WORKER_NAME_PATTERN);

export function definitionAt(parsed: ParsedConfig, uri: string, position: Position): Location | null {
  const site = workerNameAt(parsed.outline, position);
  const declaration = site && parsed.outline.workers.find((worker) => worker.name === site.name);
  return declaration ? { uri, range: declaration.keyRange } : null;
}

export function referencesAt(parsed: ParsedConfig, uri: string, position: Position, includeDeclaration: boolean): Location[] | null {
  const site = workerNameAt(parsed.outline, position);
  if (!site) return null;
  return workerNameSites(parsed.outline, site.name)
    .filter((found) => includeDeclaration || found.kind === 'reference')
    .map((found) => ({ uri, range: found.range }));
}

/** The name under the cursor, or an error the editor shows ("cannot rename this"). */
export function prepareRenameAt(parsed: ParsedConfig, position: Position): { range: Range; placeholder: string } {
  const site = workerNameAt(parsed.outline, position);
  if (!site) throw new ResponseError(ErrorCodes.InvalidRequest, 'Only a worker name (its key or a depends_on entry) can be renamed.');
  return { range: site.range, placeholder: site.name };
}

export function renameAt(parsed: ParsedConfig, uri: string, position: Position, newName: string): WorkspaceEdit {
  const { placeholder: oldName } = prepareRenameAt(parsed, position);
  if (!WORKER_NAME.test(newName)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `'${newName}' is not a valid worker name: use lowercase letters, digits, '-' and '_', starting with a letter or digit.`);
  }
  if (newName !== oldName && parsed.outline.workers.some((worker) => worker.name === newName)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `A worker named '${newName}' already exists.`);
  }
  const edits = workerNameSites(parsed.outline, oldName).map((site) => ({ range: site.range, newText: newName }));
  return { changes: { [uri]: edits } };
}

/**
 * "No config yet": the Workers view's welcome content (package.json
 * `viewsWelcome`, shown while the tree is empty and `steward.hasConfig` is
 * false) runs `steward.createConfig`, which writes a starter steward.yaml
 * and opens it. Never overwrites an existing file.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';

/** A starter that runs anywhere Node runs: one HTTP worker with a readiness probe. */
export const STARTER_CONFIG = `# Steward: the dev workers of this project, one entry each.
# Save to reload; a broken config keeps the running workers (wait mode).
version: 1
workers:
  hello:
    command: node -e "require('http').createServer((q, s) => s.end('hello')).listen(8080, '127.0.0.1')"
    ports: [8080]
    ready: { http: "http://127.0.0.1:8080/", timeout: 10s }
    restart: on-failure
`;

/** Creates the config if it does not exist yet, then opens it. Returns its URI. */
export async function createConfig(configPath: string): Promise<vscode.Uri> {
  const uri = vscode.Uri.file(configPath);
  if (!existsSync(configPath)) await writeFile(configPath, STARTER_CONFIG, { flag: 'wx' });
  await vscode.window.showTextDocument(uri);
  return uri;
}

/** The key table (config/keys.ts) in words: one-line type labels and hover/completion Markdown. */
import type { KeySpec, ValueType } from '../../config/keys';

const STRING_FORMATS = { command: 'shell command line', directory: 'directory', url: 'URL', regex: 'regular expression' } as const;

export function typeLabel(type: ValueType): string {
  switch (type.kind) {
    case 'version':
      return '`1`';
    case 'integer':
      return `integer ≥ ${type.min}`;
    case 'string':
      return type.format ? STRING_FORMATS[type.format] : 'string';
    case 'enum':
      return `one of ${type.values.map((value) => `\`${value}\``).join(', ')}`;
    case 'duration':
      return 'duration';
    case 'signal':
      return 'signal name';
    case 'env':
      return 'mapping of variable names to strings';
    case 'envFile':
      return 'path of a dotenv file, or a list of them';
    case 'ports':
      return 'list of port numbers';
    case 'dependsOn':
      return 'list of worker names, or mapping of worker names to `started` / `ready`';
    case 'tcpTarget':
      return 'port number or `host:port`';
    case 'object':
      return `mapping (${Object.keys(type.keys).map((key) => `\`${key}\``).join(', ')})`;
    case 'workers':
      return 'mapping of worker names to definitions';
  }
}

/** `**`key`** · type (required)`, the doc, and the example as a YAML block. */
export function keyMarkdown(key: string, spec: KeySpec): string {
  const required = spec.required ? ' · required' : '';
  return `**\`${key}\`** · ${typeLabel(spec.type)}${required}\n\n${spec.doc}\n\n\`\`\`yaml\n${spec.example}\n\`\`\``;
}

/**
 * The JSON Schema of steward.yaml, generated from the checker's own key
 * table (keys.ts), so YAML tooling and the checker agree. The build writes
 * it to dist/steward.schema.json. The schema is the looser of the two: the
 * checker adds what a schema cannot say (cycles, ports across workers, …).
 */
import { DURATION_PATTERN } from './duration';
import { DEPENDENCY_CONDITIONS, EXTENSION_KEY_PREFIX, ENV_NAME_PATTERN, ROOT_KEYS, WORKER_KEYS, WORKER_NAME_PATTERN, type KeySpec, type KeyTable, type ValueType } from './keys';
import { SIGNAL_NAMES } from './strings';

type Schema = Record<string, unknown>;

export function stewardJsonSchema(): object {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://steward.dev/steward.schema.json',
    title: 'steward.yaml',
    description: "Steward's configuration: the workers of a project's local development environment.",
    ...objectSchema(ROOT_KEYS),
  };
}

function objectSchema(table: KeyTable, exactlyOneOf?: readonly string[]): Schema {
  const required = Object.keys(table).filter((key) => table[key].required);
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(table).map(([key, spec]) => [key, keySchema(spec)])),
    patternProperties: { [`^${EXTENSION_KEY_PREFIX}`]: {} },
    additionalProperties: false,
    ...(required.length > 0 ? { required } : {}),
    ...(exactlyOneOf ? { oneOf: exactlyOneOf.map((key) => ({ required: [key] })) } : {}),
  };
}

function keySchema(spec: KeySpec): Schema {
  return { ...valueSchema(spec.type), description: spec.doc, markdownDescription: `${spec.doc}\n\n\`\`\`yaml\n${spec.example}\n\`\`\`` };
}

const PORT: Schema = { type: 'integer', minimum: 1, maximum: 65_535 };

const VALUE_SCHEMAS: { [K in ValueType['kind']]: (type: Extract<ValueType, { kind: K }>) => Schema } = {
  version: () => ({ const: 1 }),
  integer: (type) => ({ type: 'integer', minimum: type.min, ...(type.max === undefined ? {} : { maximum: type.max }) }),
  string: (type) => ({ type: 'string', ...(type.format === 'url' ? { format: 'uri', pattern: '^https?://' } : {}), ...(type.format === 'command' ? { minLength: 1 } : {}) }),
  enum: (type) => ({ enum: [...type.values] }),
  duration: () => ({ type: 'string', pattern: DURATION_PATTERN, examples: ['500ms', '5s', '1m'] }),
  signal: () => ({ type: 'string', enum: SIGNAL_NAMES.flatMap((name) => [name, name.slice(3)]) }),
  env: () => ({
    type: 'object',
    propertyNames: { pattern: ENV_NAME_PATTERN },
    additionalProperties: { type: ['string', 'number', 'boolean'] },
  }),
  envFile: () => ({ oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 } }] }),
  ports: () => ({ type: 'array', items: PORT }),
  dependsOn: () => ({
    oneOf: [
      { type: 'array', items: { type: 'string', pattern: WORKER_NAME_PATTERN }, uniqueItems: true },
      { type: 'object', propertyNames: { pattern: WORKER_NAME_PATTERN }, additionalProperties: { enum: [...DEPENDENCY_CONDITIONS] } },
    ],
  }),
  tcpTarget: () => ({ oneOf: [PORT, { type: 'string', pattern: '^.+:[0-9]{1,5}$' }] }),
  object: (type) => objectSchema(type.keys, type.exactlyOneOf),
  workers: () => ({
    type: ['object', 'null'],
    propertyNames: { pattern: WORKER_NAME_PATTERN },
    additionalProperties: objectSchema(WORKER_KEYS),
  }),
};

function valueSchema(type: ValueType): Schema {
  return (VALUE_SCHEMAS[type.kind] as (type: ValueType) => Schema)(type);
}

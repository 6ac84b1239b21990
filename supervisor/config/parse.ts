/**
 * YAML text → document with node ranges, plus the parser's own errors and
 * warnings as diagnostics. Duplicate keys are left to the checker
 * (uniqueKeys off) so it can say where the first one was.
 */
import { isScalar, parseDocument, Scalar, visit, type Document, type YAMLError, type YAMLWarning } from 'yaml';
import type { ConfigDiagnostic } from './model';
import { SourceMap } from './ranges';

export interface ParsedYaml {
  doc: Document.Parsed;
  source: SourceMap;
  diagnostics: ConfigDiagnostic[];
}

export function parseYaml(text: string): ParsedYaml {
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, keepSourceTokens: false });
  const source = new SourceMap(text);
  const diagnostics = [
    ...doc.errors.map((problem) => unclosedQuote(problem, doc, source) ?? toDiagnostic(problem, 'error', source)),
    ...doc.warnings.map((problem) => toDiagnostic(problem, 'warning', source)),
  ];
  return { doc, source, diagnostics };
}

/** The parser's words where they would name its own API instead of the problem in the file. */
const OUR_WORDS: Partial<Record<YAMLError['code'], string>> = {
  MULTIPLE_DOCS: "more than one YAML document (a '---' line starts another): steward.yaml holds one",
};

function toDiagnostic(problem: YAMLError | YAMLWarning, severity: 'error' | 'warning', source: SourceMap): ConfigDiagnostic {
  const firstLine = problem.message.split('\n')[0].trim();
  return {
    severity,
    code: `yaml-${problem.code.toLowerCase().replace(/_/g, '-')}`,
    message: `yaml: ${OUR_WORDS[problem.code] ?? `${firstLine.charAt(0).toLowerCase()}${firstLine.slice(1)}`}`,
    range: source.span(problem.pos[0], problem.pos[1]),
  };
}

/**
 * The parser reports a quote that is never closed where it gave up: the
 * end of the file, far from the mistake. Reported instead at the opening
 * quote (through the end of its line): the quoted scalar that ends where
 * the parser gave up starts there.
 */
function unclosedQuote(problem: YAMLError, doc: Document.Parsed, source: SourceMap): ConfigDiagnostic | undefined {
  if (problem.code !== 'MISSING_CHAR' || !/quote/.test(problem.message)) return undefined;
  let opening: Scalar | undefined;
  visit(doc, {
    Scalar(_, node) {
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      if (quoted && node.range?.[1] === problem.pos[0]) opening = node;
    },
  });
  if (!isScalar(opening) || !opening.range) return undefined;
  const start = opening.range[0];
  const quote = opening.type === Scalar.QUOTE_DOUBLE ? '"' : "'";
  const lineEnd = source.text.slice(start).search(/\r|\n|$/);
  return { severity: 'error', code: 'yaml-missing-char', message: `yaml: missing closing ${quote} for the quote opened here`, range: source.span(start, start + lineEnd) };
}

/**
 * Reading a YAML source file as data with 1-based lines for every key, so a
 * note or an error can point at the exact place in the user's file.
 */
import { LineCounter, isMap, isScalar, parseDocument, type Document, type Node } from 'yaml';
import { ImportError } from './model';

export interface YamlEntry {
  key: string;
  /** The value as plain data. */
  value: unknown;
  /** The value's node, for looking deeper with entriesOf. */
  node: Node | null;
  /** 1-based line of the key. */
  line: number;
}

export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly document: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Throws ImportError at the first syntax error (duplicate keys included). */
  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
    const [first] = document.errors;
    if (first) {
      const position = first.linePos?.[0];
      const message = first.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
      throw new ImportError(file, `invalid YAML: ${message}`, position?.line, position?.col);
    }
    return new YamlSource(file, document, lines);
  }

  get root(): Node | null {
    return this.document.contents;
  }

  lineOf(node: Node | null | undefined): number | undefined {
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }

  /** The entries of a mapping in file order; undefined when the node is not a mapping. */
  entriesOf(node: Node | null | undefined): YamlEntry[] | undefined {
    if (!isMap(node)) return undefined;
    return node.items.map((pair) => {
      const keyNode = pair.key as Node | null;
      const value = pair.value as Node | null;
      return {
        key: isScalar(keyNode) ? String(keyNode.value) : String(keyNode),
        value: value === null ? null : value.toJS(this.document),
        node: value,
        line: this.lineOf(keyNode) ?? 1,
      };
    });
  }
}

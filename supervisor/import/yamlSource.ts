/**
 * Reading a YAML source file as data with 1-based lines for every key, so a
 * note or an error can point at the exact place in the user's file.
 */
import { LineCounter, isAlias, isMap, isScalar, parseDocument, visit, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { distinctBy } from '../config/distinct';
import { isMergeKey, MERGE_KEY, mergedPairs, mergeSources } from '../config/mergeKeys';
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
    // merge: values read as data (toJS) take their `<<: *base` keys, as the tools that read these files do.
    const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true, merge: true });
    const [first] = document.errors;
    if (first) {
      const position = first.linePos?.[0];
      const message = first.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
      throw new ImportError(file, `invalid YAML: ${message}`, position?.line, position?.col);
    }
    const source = new YamlSource(file, document, lines);
    // Before any value is read as data: toJS throws on a bad merge without saying where.
    visit(document, { Pair: (_, pair) => void (isMergeKey(pair.key) && mergeSources(pair.value as Node | null, source.resolve, source.invalidMerge)) });
    return source;
  }

  get root(): Node | null {
    return this.document.contents;
  }

  lineOf(node: Node | null | undefined): number | undefined {
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }

  /**
   * The entries of a mapping in file order, then those it takes from a merge
   * (`<<: *base`) and does not set itself; undefined when the node is not a
   * mapping.
   */
  entriesOf(node: Node | null | undefined): YamlEntry[] | undefined {
    if (!isMap(node)) return undefined;
    const items = node.items as Array<Pair<Node | null, Node | null>>;
    const own = items.filter((pair) => !isMergeKey(pair.key));
    const merged = distinctBy(this.mergedInto(node, items), (pair) => this.keyOf(pair), new Set(own.map((pair) => this.keyOf(pair))));
    return [...own, ...merged].map((pair) => ({ key: this.keyOf(pair), value: this.dataOf(pair), node: pair.value, line: this.lineOf(pair.key) ?? 1 }));
  }

  /** The value as plain data; one that refers back into itself (`x: &c { <<: *c }`) is an error at its key. */
  private dataOf(pair: Pair<Node | null, Node | null>): unknown {
    try {
      return pair.value === null ? null : pair.value.toJS(this.document);
    } catch (error) {
      // The parser's words for a cycle ("Excessive alias count…") are about an attack, not about this file.
      const reason = error instanceof ReferenceError ? 'an alias or merge refers back to the mapping it is in' : String(error instanceof Error ? error.message : error);
      throw new ImportError(this.file, `cannot read '${this.keyOf(pair)}': ${reason}`, this.lineOf(pair.key));
    }
  }

  private keyOf(pair: Pair<Node | null, Node | null>): string {
    return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
  }

  private readonly resolve = (node: Node | null): Node | null => (isAlias(node) ? ((node.resolve(this.document) as Node | undefined) ?? null) : node);

  private readonly invalidMerge = (item: Node | null): never => {
    throw new ImportError(this.file, `'${MERGE_KEY}' merges a mapping, an alias of one (*name) or a list of them`, this.lineOf(item));
  };

  private mergedInto(map: YAMLMap, items: Array<Pair<Node | null, Node | null>>): Array<Pair<Node | null, Node | null>> {
    const sources = items.filter((pair) => isMergeKey(pair.key)).flatMap((pair) => mergeSources(pair.value, this.resolve, this.invalidMerge));
    return mergedPairs(sources, this.resolve, this.invalidMerge, new Set([map])).map(({ pair }) => pair);
  }
}

import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';

/** A parsed YAML file that can say on which line a value (or a mapping key) sits. */
export interface YamlSource {
  data: unknown;
  /** Line of the node at `path`; of its key when `key` is set; the nearest enclosing node if it is absent. */
  lineOf(path: readonly PropertyKey[], options?: { key?: boolean }): number | undefined;
}

export type YamlParse =
  | { ok: true; source: YamlSource }
  | { ok: false; errors: Array<{ line?: number; message: string }> };

const MAX_ALIAS_COUNT = 100;

/** Parse one YAML document. Syntax errors, warnings (unknown tags) and bad aliases all come back as errors. */
export function parseYaml(text: string): YamlParse {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const problems = [...doc.errors, ...doc.warnings].map((e) => ({
    line: lineCounter.linePos(e.pos[0]).line,
    message: `YAML: ${e.message}`,
  }));
  // Schemas drop a `__proto__` key silently (a prototype-pollution guard); refuse it here, where it can be seen.
  visit(doc, {
    Pair(_, pair) {
      if (keyText(pair.key) === '__proto__') {
        const at = (pair.key as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
        problems.push({ line: lineCounter.linePos(at).line, message: 'the key __proto__ is not allowed' });
      }
    },
  });
  if (problems.length > 0) return { ok: false, errors: problems };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // Unresolved aliases and alias bombs surface only here, without a position.
    return {
      ok: false,
      errors: [{ message: `YAML: ${error instanceof Error ? error.message : String(error)}` }],
    };
  }
  return {
    ok: true,
    source: { data, lineOf: (path, options) => locate(doc, lineCounter, path, options?.key ?? false) },
  };
}

function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  wantKey: boolean,
): number | undefined {
  const lineAt = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  let node: unknown = doc.contents;
  // Where to point when the path ends early (a missing key): the key of the deepest mapping entry found, or the
  // deepest list item, rather than the first line of a block that may start one line lower.
  let fallback = lineAt(node);
  for (const [i, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (!pair) return fallback;
      const keyLine = lineAt(pair.key) ?? fallback;
      if (wantKey && i === path.length - 1) return keyLine;
      node = pair.value ?? pair.key;
      fallback = keyLine;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (node === undefined) return fallback;
      fallback = lineAt(node) ?? fallback;
    } else return fallback;
  }
  return lineAt(node) ?? fallback;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

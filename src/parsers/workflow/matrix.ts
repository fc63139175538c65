import type { SourceLocation } from "../../model/location.js";
import { displayText, type StrValue } from "../../model/value.js";
import type { Matrix } from "../../model/workflow.js";

/**
 * `strategy.matrix` expansion with GitHub's documented semantics ("Running variations of jobs in a
 * workflow"):
 * - the combinations are the product of every key other than `include` / `exclude`;
 * - `exclude` entries remove the combinations they match (an entry matches when each of its keys has
 *   the same value; it may name only some keys), and are applied before `include`;
 * - each `include` entry is added to every product combination none of whose original values it would
 *   overwrite (values added by an earlier `include` may be overwritten); an entry that fits no
 *   combination becomes a combination of its own. Combinations created by `include` are never extended.
 * Values that are mappings are flattened into dotted paths (`target.role`). GitHub runs at most 256 jobs
 * per matrix; a larger expansion (or one that cannot be read) is unknown.
 */

/** A matrix value as read from YAML: a string, a mapping, a list, or an expression. */
export type MatrixNode =
  | { kind: "scalar"; value: StrValue }
  | { kind: "map"; entries: Map<string, MatrixNode> }
  | { kind: "list"; items: MatrixNode[]; loc: SourceLocation }
  | { kind: "unknown"; why: string };

export const MAX_MATRIX_COMBINATIONS = 256;

type Combination = Map<string, StrValue>;

function flatten(node: MatrixNode, path: string, out: Combination): boolean {
  if (node.kind === "scalar") {
    out.set(path, node.value);
    return true;
  }
  if (node.kind === "map") {
    for (const [k, v] of node.entries) if (!flatten(v, `${path}.${k}`, out)) return false;
    return true;
  }
  // A list or an unknown inside a value: nothing this linter reads depends on it.
  return true;
}

/** The flattened entries of one `include` / `exclude` item (a mapping of keys to values). */
function entryOf(node: MatrixNode): Combination | undefined {
  if (node.kind !== "map") return undefined;
  const out: Combination = new Map();
  for (const [k, v] of node.entries) flatten(v, k, out);
  return out;
}

const same = (a: StrValue, b: StrValue): boolean => displayText(a) === displayText(b);

function matchesEntry(c: Combination, entry: Combination): boolean {
  for (const [k, v] of entry) {
    const have = c.get(k);
    if (!have || !same(have, v)) return false;
  }
  return true;
}

export function expandMatrix(root: MatrixNode, loc: SourceLocation): Matrix {
  const unknown = (why: string): Matrix => ({ unknown: why, loc });
  if (root.kind === "unknown") return unknown(root.why);
  if (root.kind !== "map") return unknown("`strategy.matrix` is not a mapping");
  let product: Combination[] = [new Map<string, StrValue>()];
  const originalKeys = new Set<string>();
  let include: MatrixNode | undefined;
  let exclude: MatrixNode | undefined;
  for (const [key, node] of root.entries) {
    if (key === "include") include = node;
    else if (key === "exclude") exclude = node;
    else {
      if (node.kind !== "list") return unknown(node.kind === "unknown" ? node.why : `\`matrix.${key}\` is not a list`);
      if (node.items.some((i) => i.kind === "unknown")) return unknown(`a value of \`matrix.${key}\` is an expression`);
      originalKeys.add(key);
      const next: Combination[] = [];
      for (const c of product) {
        for (const item of node.items) {
          const combo = new Map(c);
          flatten(item, key, combo);
          next.push(combo);
        }
      }
      if (next.length > MAX_MATRIX_COMBINATIONS)
        return unknown(`the matrix has more than ${MAX_MATRIX_COMBINATIONS} combinations`);
      product = next;
    }
  }
  if (originalKeys.size === 0) product = [];
  if (exclude) {
    if (exclude.kind !== "list") return unknown("`matrix.exclude` is an expression");
    for (const item of exclude.items) {
      const entry = entryOf(item);
      if (!entry) return unknown("an entry of `matrix.exclude` is an expression");
      product = product.filter((c) => !matchesEntry(c, entry));
    }
  }
  const out = product.map((values) => ({ values, original: new Set([...values.keys()]) }));
  const added: Combination[] = [];
  if (include) {
    if (include.kind !== "list") return unknown("`matrix.include` is an expression");
    for (const item of include.items) {
      const entry = entryOf(item);
      if (!entry) return unknown("an entry of `matrix.include` is an expression");
      let fitted = false;
      for (const c of out) {
        const overwrites = [...entry].some(([k, v]) => {
          const have = c.values.get(k);
          return have !== undefined && c.original.has(k) && !same(have, v);
        });
        if (overwrites) continue;
        for (const [k, v] of entry) c.values.set(k, v);
        fitted = true;
      }
      if (!fitted) added.push(new Map(entry));
      if (out.length + added.length > MAX_MATRIX_COMBINATIONS)
        return unknown(`the matrix has more than ${MAX_MATRIX_COMBINATIONS} combinations`);
    }
  }
  const combinations = [...out.map((c) => c.values), ...added];
  return combinations.length === 0 ? unknown("the matrix has no combinations") : { combinations, loc };
}

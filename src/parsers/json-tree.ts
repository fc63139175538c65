import { LineIndex } from "../model/location.js";
import type { ParseProblem } from "../model/project.js";
import type { TreeEntry, TreeNode } from "./tree.js";
import { MAX_DEPTH, parseJsonSource, yamlToTree } from "./yaml-source.js";

/**
 * A JSON text lowered into the located value tree in one linear pass, or undefined when the text is not one
 * `JSON.parse` accepts or when `nestingProblem` refuses it: the same scan checks both as it reads (a 1 MiB
 * policy is read once, not validated, scanned for nesting and then read again). Positions are those the YAML
 * route gave (a value or key from its first to its last character). Nesting is counted as `nestingProblem`
 * counts it (every `[`/`{` of the text, inside strings too, and spaces at the start of a line), so the
 * recursion never goes deeper than `MAX_DEPTH`.
 */
export function jsonToTree(text: string, index: LineIndex, stream?: StreamedItems): TreeNode | undefined {
  let i = 0;
  /** Objects open around the value being read (1: inside the top-level object). */
  let depth = 0;
  /** Set while the next value read is the array `stream` takes the items of. */
  let streamNext = false;
  let streamed = false;
  /** `nestingProblem`'s count: brackets open, strings included (a closing one only counts down from above 0). */
  let brackets = 0;
  /** Spaces since the start of the line; -1 once something else came on it. */
  let indent = 0;
  /** The entries and items of the objects and arrays being read, one stack for all (each gets an exact copy). */
  const open: unknown[] = [];
  const opening = (): void => {
    if (++brackets > MAX_DEPTH) throw REFUSED;
  };
  const closing = (): void => {
    if (brackets > 0) brackets--;
  };
  const skip = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32) {
        if (indent >= 0 && ++indent > MAX_INDENT) throw REFUSED;
      } else if (c === 10) indent = 0;
      else if (c === 13 || c === 9) indent = -1;
      else {
        indent = -1;
        return;
      }
      i++;
    }
  };
  /** The string whose opening quote is at `i`, read up to its closing quote; `i` is left after it. */
  const str = (): string => {
    const start = i;
    let escaped = false;
    let j = i + 1;
    for (;;) {
      const c = text.charCodeAt(j);
      if (c >= 93) {
        if (c === 123) opening();
        else if (c === 125 || c === 93) closing();
        j++;
      } else if (c === 34) break;
      else if (c === 92) {
        const e = text.charCodeAt(j + 1);
        if (e === 117) {
          for (let k = j + 2; k < j + 6; k++) if (!isHexDigit(text.charCodeAt(k))) throw REFUSED;
          j += 6;
        } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)
          j += 2;
        else throw REFUSED;
        escaped = true;
      } else if (!(c >= 32))
        throw REFUSED; // a control character, or the end of the text
      else {
        if (c === 91) opening();
        j++;
      }
    }
    i = j + 1;
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, j);
  };
  const value = (): TreeNode => {
    skip();
    const start = i;
    const c = text.charCodeAt(i);
    const handOut = streamNext;
    streamNext = false;
    if (c === 123) {
      i++;
      opening();
      depth++;
      const base = open.length;
      skip();
      if (text.charCodeAt(i) === 125) i++;
      else
        for (;;) {
          skip();
          if (text.charCodeAt(i) !== 34) throw REFUSED;
          const keyStart = i;
          const key = str();
          const keyLoc = index.span(keyStart, i);
          skip();
          if (text.charCodeAt(i) !== 58) throw REFUSED;
          i++;
          if (stream && !streamed && depth === 1 && key === stream.key) streamNext = streamed = true;
          const entry: TreeEntry = { key: { value: key, loc: keyLoc }, value: value() };
          open.push(entry);
          skip();
          const next = text.charCodeAt(i++);
          if (next === 125) break;
          if (next !== 44) throw REFUSED;
        }
      closing();
      depth--;
      const entries = open.slice(base) as TreeEntry[];
      open.length = base;
      return { kind: "object", entries, loc: index.span(start, i) };
    }
    if (c === 91) {
      i++;
      opening();
      const base = open.length;
      skip();
      if (text.charCodeAt(i) === 93) i++;
      else
        for (;;) {
          if (handOut) stream?.item(value());
          else open.push(value());
          skip();
          const next = text.charCodeAt(i++);
          if (next === 93) break;
          if (next !== 44) throw REFUSED;
        }
      closing();
      const items = open.slice(base) as TreeNode[];
      open.length = base;
      return { kind: "array", items, loc: index.span(start, i) };
    }
    if (c === 34) {
      const s = str();
      const loc = index.span(start, i);
      return { kind: "string", value: { parts: [s], loc }, loc };
    }
    let scalar: number | boolean | null;
    if (c === 116 && text.startsWith("true", i)) {
      i += 4;
      scalar = true;
    } else if (c === 102 && text.startsWith("false", i)) {
      i += 5;
      scalar = false;
    } else if (c === 110 && text.startsWith("null", i)) {
      i += 4;
      scalar = null;
    } else {
      i = numberEnd(text, i);
      scalar = Number(text.slice(start, i));
    }
    return { kind: "scalar", value: scalar, loc: index.span(start, i) };
  };
  try {
    const tree = value();
    skip();
    return i === text.length ? tree : undefined;
  } catch (e) {
    if (e === REFUSED) return undefined;
    throw e;
  }
}

/** Thrown inside `jsonToTree` when the text is not one it takes (never leaves it). */
const REFUSED = new Error("not strict JSON, or nested too deep");

/** Spaces at the start of a line from which `nestingProblem` refuses a text. */
const MAX_INDENT = MAX_DEPTH * 2;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** The end of the JSON number starting at `i` (`-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`). */
function numberEnd(text: string, start: number): number {
  let i = start;
  if (text.charCodeAt(i) === 45) i++;
  const first = text.charCodeAt(i);
  if (first === 48) i++;
  else if (first >= 49 && first <= 57) while (isDigit(text.charCodeAt(i))) i++;
  else throw REFUSED;
  if (text.charCodeAt(i) === 46) {
    i++;
    if (!isDigit(text.charCodeAt(i))) throw REFUSED;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    if (!isDigit(text.charCodeAt(i))) throw REFUSED;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

/**
 * The items of one array handed out as they are read instead of kept in the tree (which holds that array
 * empty): the array under `key` in the top-level object (its first entry of that key). A 1 MiB policy's
 * statements are then normalised as they are parsed, and their tree nodes die young, not after every
 * statement was read.
 */
export interface StreamedItems {
  key: string;
  item(node: TreeNode): void;
}

/**
 * A JSON file as a located tree, or its first problem: strict JSON goes through `jsonToTree` (with `stream`,
 * see `StreamedItems`; `streamed` says whether it took the items, which the tree then holds none of);
 * anything else is left to `parseJsonSource`, which names the problem and its place (and keeps every item in
 * the tree).
 */
export function parseJsonTree(
  file: string,
  text: string,
  stream?: StreamedItems,
): { tree: TreeNode; streamed: boolean } | { problems: ParseProblem[] } {
  let tree: TreeNode | undefined;
  try {
    tree = jsonToTree(text, new LineIndex(file, text), stream);
  } catch {
    // named below
  }
  if (tree) return { tree, streamed: stream !== undefined };
  const parsed = parseJsonSource(file, text);
  return parsed.problems.length > 0
    ? { problems: parsed.problems }
    : { tree: yamlToTree(parsed.doc.contents, parsed.index), streamed: false };
}

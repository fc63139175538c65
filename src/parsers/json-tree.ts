import { LineIndex } from "../model/location.js";
import type { ParseProblem } from "../model/project.js";
import type { TreeEntry, TreeNode } from "./tree.js";
import { nestingProblem, parseJsonSource, yamlToTree } from "./yaml-source.js";

/**
 * JSON that `JSON.parse` accepted, lowered into the located value tree in one linear pass: a 1 MiB policy
 * costs milliseconds, where the general YAML parser took most of a second. Positions are those the YAML
 * route gave (a value or key from its first to its last character). Nesting is bounded by the caller
 * (`nestingProblem`) before this runs.
 */
export function jsonToTree(text: string, index: LineIndex, stream?: StreamedItems): TreeNode {
  let i = 0;
  /** Objects open around the value being read (1: inside the top-level object). */
  let depth = 0;
  /** Set while the next value read is the array `stream` takes the items of. */
  let streamNext = false;
  let streamed = false;
  const skip = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else return;
    }
  };
  /** The string whose opening quote is at `i`, read up to its closing quote; `i` is left after it. */
  const str = (): string => {
    const start = i;
    let escaped = false;
    let j = i + 1;
    for (;;) {
      const c = text.charCodeAt(j);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        j += 2;
      } else j++;
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
      depth++;
      const entries: TreeEntry[] = [];
      skip();
      if (text.charCodeAt(i) === 125) i++;
      else
        for (;;) {
          skip();
          const keyStart = i;
          const key = str();
          const keyLoc = index.span(keyStart, i);
          skip();
          i++; // ':'
          if (stream && !streamed && depth === 1 && key === stream.key) streamNext = streamed = true;
          entries.push({ key: { value: key, loc: keyLoc }, value: value() });
          skip();
          if (text.charCodeAt(i++) === 125) break; // else ','
        }
      depth--;
      return { kind: "object", entries, loc: index.span(start, i) };
    }
    if (c === 91) {
      i++;
      const items: TreeNode[] = [];
      skip();
      if (text.charCodeAt(i) === 93) i++;
      else
        for (;;) {
          if (handOut) stream?.item(value());
          else items.push(value());
          skip();
          if (text.charCodeAt(i++) === 93) break; // else ','
        }
      return { kind: "array", items, loc: index.span(start, i) };
    }
    if (c === 34) {
      const s = str();
      const loc = index.span(start, i);
      return { kind: "string", value: { parts: [s], loc }, loc };
    }
    // true, false, null or a number: up to the next delimiter.
    while (i < text.length && !/[\s,\]}]/.test(text.charAt(i))) i++;
    const token = text.slice(start, i);
    const loc = index.span(start, i);
    return {
      kind: "scalar",
      value: token === "true" ? true : token === "false" ? false : token === "null" ? null : Number(token),
      loc,
    };
  };
  return value();
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
 * see `StreamedItems`); anything else is left to `parseJsonSource`, which names the problem and its place
 * (and keeps every item in the tree).
 */
export function parseJsonTree(
  file: string,
  text: string,
  stream?: StreamedItems,
): { tree: TreeNode } | { problems: ParseProblem[] } {
  if (nestingProblem(text) === undefined) {
    try {
      JSON.parse(text);
      return { tree: jsonToTree(text, new LineIndex(file, text), stream) };
    } catch {
      // named below
    }
  }
  const parsed = parseJsonSource(file, text);
  return parsed.problems.length > 0
    ? { problems: parsed.problems }
    : { tree: yamlToTree(parsed.doc.contents, parsed.index) };
}

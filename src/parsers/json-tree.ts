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
export function jsonToTree(text: string, index: LineIndex): TreeNode {
  let i = 0;
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
    if (c === 123) {
      i++;
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
          entries.push({ key: { value: key, loc: keyLoc }, value: value() });
          skip();
          if (text.charCodeAt(i++) === 125) break; // else ','
        }
      return { kind: "object", entries, loc: index.span(start, i) };
    }
    if (c === 91) {
      i++;
      const items: TreeNode[] = [];
      skip();
      if (text.charCodeAt(i) === 93) i++;
      else
        for (;;) {
          items.push(value());
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
 * A JSON file as a located tree, or its first problem: strict JSON goes through `jsonToTree`; anything
 * else is left to `parseJsonSource`, which names the problem and its place.
 */
export function parseJsonTree(file: string, text: string): { tree: TreeNode } | { problems: ParseProblem[] } {
  if (nestingProblem(text) === undefined) {
    try {
      JSON.parse(text);
      return { tree: jsonToTree(text, new LineIndex(file, text)) };
    } catch {
      // named below
    }
  }
  const parsed = parseJsonSource(file, text);
  return parsed.problems.length > 0
    ? { problems: parsed.problems }
    : { tree: yamlToTree(parsed.doc.contents, parsed.index) };
}

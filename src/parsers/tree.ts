import type { Located, SourceLocation } from "../model/location.js";
import type { StrValue } from "../model/value.js";

/**
 * A JSON-shaped value tree in which every node keeps its source location and strings may be partly
 * unknown. Each parser lowers its own syntax (JSON, YAML with CloudFormation intrinsics, HCL
 * expressions, `aws_iam_policy_document` blocks) into this tree; `normalisePolicy` then builds the
 * model from it once, for every format.
 */
export type TreeNode = TreeString | TreeScalar | TreeArray | TreeObject | TreeUnknown;

export interface TreeString {
  kind: "string";
  value: StrValue;
  loc: SourceLocation;
}

export interface TreeScalar {
  kind: "scalar";
  value: number | boolean | null;
  loc: SourceLocation;
}

export interface TreeArray {
  kind: "array";
  items: TreeNode[];
  loc: SourceLocation;
}

export interface TreeEntry {
  key: Located<string>;
  value: TreeNode;
}

export interface TreeObject {
  kind: "object";
  entries: TreeEntry[];
  loc: SourceLocation;
}

/** A value that could not be resolved at all: `var.subjects`, `!ImportValue X`. */
export interface TreeUnknown {
  kind: "unknown";
  expr: string;
  loc: SourceLocation;
  origin?: string;
  /**
   * Why the evaluator has no value, when it is not merely unknown: `error`, Terraform would refuse to
   * compute it (`try` skips it); `limit`, an evaluation limit was reached (anything built from it is
   * past the limit too). Kept wherever the value is placed.
   */
  reason?: "error" | "limit";
}

/** Entry of an object by exact key. */
export function entry(node: TreeNode | undefined, key: string): TreeEntry | undefined {
  if (node?.kind !== "object") return undefined;
  return node.entries.find((e) => e.key.value === key);
}

/** Entry of an object by case-insensitive key (IAM element names like `Condition` are case-sensitive in
 * AWS's grammar, but condition keys are not). */
export function entryIgnoreCase(node: TreeNode | undefined, key: string): TreeEntry | undefined {
  if (node?.kind !== "object") return undefined;
  const k = key.toLowerCase();
  return node.entries.find((e) => e.key.value.toLowerCase() === k);
}

export function child(node: TreeNode | undefined, key: string): TreeNode | undefined {
  return entry(node, key)?.value;
}

/** A single value or a list of values, as IAM allows for most elements. */
export function listOf(node: TreeNode | undefined): TreeNode[] {
  if (node === undefined) return [];
  return node.kind === "array" ? node.items : [node];
}

/** Plain JavaScript value of a fully known tree (unknown parts become undefined). For sniffing. */
export function toPlain(node: TreeNode): unknown {
  switch (node.kind) {
    case "string":
      return node.value.parts.every((p) => typeof p === "string") ? node.value.parts.join("") : undefined;
    case "scalar":
      return node.value;
    case "array":
      return node.items.map(toPlain);
    case "object":
      return Object.fromEntries(node.entries.map((e) => [e.key.value, toPlain(e.value)]));
    case "unknown":
      return undefined;
  }
}

/**
 * Places every value of a tree at one location — where the policy uses it — keeping (or setting) where it
 * was defined. Used for values that came through a variable, a mapping, or a document embedded in a string.
 * `copied` hears of every string node and its copy (for parsers that keep side data per node).
 */
export function relocate(
  node: TreeNode,
  loc: SourceLocation,
  origin?: string,
  copied?: (from: TreeString, to: TreeString) => void,
): TreeNode {
  switch (node.kind) {
    case "string": {
      const o = node.value.origin ?? origin;
      const out: TreeString = {
        kind: "string",
        value: o === undefined ? { parts: node.value.parts, loc } : { parts: node.value.parts, loc, origin: o },
        loc,
      };
      copied?.(node, out);
      return out;
    }
    case "scalar":
      return { ...node, loc };
    case "array":
      return { kind: "array", items: node.items.map((i) => relocate(i, loc, origin, copied)), loc };
    case "object":
      return {
        kind: "object",
        entries: node.entries.map((e) => ({
          key: { value: e.key.value, loc },
          value: relocate(e.value, loc, origin, copied),
        })),
        loc,
      };
    case "unknown": {
      const o = node.origin ?? origin;
      const out: TreeUnknown = { kind: "unknown", expr: node.expr, loc };
      if (o !== undefined) out.origin = o;
      if (node.reason) out.reason = node.reason;
      return out;
    }
  }
}

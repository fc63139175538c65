import type { SourceLocation } from "../../model/location.js";
import type { TreeNode } from "../tree.js";
import { joinParts, knownText, type Part, type StrValue } from "../../model/value.js";
import { branchValues } from "../terraform/conditional-values.js";
import type { Segment } from "../terraform/embedded-json.js";

/**
 * Values of the static evaluator. Strings are model `StrValue`s (partly unknown when built from unknown
 * pieces) and may keep the text segments they were written as, so a JSON document written in a string
 * literal keeps the position of each of its values. `lib` values stand for instances of the library
 * classes that `libraries.ts` models; `ext` for anything imported from a package (not evaluated).
 */
export type PValue =
  | { t: "str"; v: StrValue; segs?: Segment[] }
  | { t: "num"; v: number; loc: SourceLocation }
  | { t: "bool"; v: boolean; loc: SourceLocation }
  | { t: "null"; loc: SourceLocation }
  | { t: "arr"; items: PValue[]; loc: SourceLocation; rest?: Unknown }
  | {
      t: "obj";
      entries: PEntry[];
      loc: SourceLocation;
      rest?: Unknown;
      /**
       * A JavaScript object literal whose every key is known and that nothing oidclint cannot follow has changed:
       * reading a key it lacks gives `undefined` (`props.filter ?? "*"`), not an unknown.
       */
      closed?: boolean;
      /**
       * The object this one is a copy of, placed where it is read (`relocateValue`): what changes the copy
       * (a key assigned, code oidclint does not follow) must change the object, which later reads copy again.
       */
      of?: PValue;
    }
  | ({ t: "unk" } & Unknown)
  | { t: "ext"; path: string; loc: SourceLocation }
  | { t: "lib"; obj: LibObject; loc: SourceLocation }
  | { t: "fn"; call: (args: CallArgs, loc: SourceLocation) => PValue; loc: SourceLocation; name?: string }
  /** `made`: the principal a modelled library class it extends made in `super(…)`, which `new` of the class gives. */
  | { t: "inst"; fields: Map<string, PValue>; cls: string; loc: SourceLocation; made?: PValue };

export interface Unknown {
  expr: string;
  loc: SourceLocation;
  origin?: string;
  /**
   * `test ? a : b` whose test is unknown, when both branches are plain values (strings, lists of them):
   * the two values. Where any of several values may match (the values of an IAM condition) the unknown
   * stands for both, each at its own place (`toTree` records them in `branchValues`).
   */
  branches?: PValue[];
}

export interface PEntry {
  key: string;
  keyLoc: SourceLocation;
  value: PValue;
}

/** Arguments of a call: positional values and (Python) keyword values. */
export interface CallArgs {
  positional: PValue[];
  keywords: Map<string, PValue>;
  /** Set when a spread of unknown length made the positions uncertain. */
  uncertain?: boolean;
  /**
   * Every argument a call expression of the program passes (not a callback oidclint calls with some of them): a
   * parameter it leaves out is `undefined` in TypeScript and JavaScript.
   */
  whole?: boolean;
  /** The object a constructor or method runs on. */
  self?: PValue;
  /** Call depth of the caller (budget). */
  depth?: number;
}

/** An instance of a modelled library class; `kind` selects its members and methods in `libraries.ts`. */
export interface LibObject {
  kind: string;
  [key: string]: unknown;
}

export function unk(expr: string, loc: SourceLocation, origin?: string): PValue {
  const e = expr.length > 80 ? `${expr.slice(0, 77)}...` : expr;
  return origin === undefined ? { t: "unk", expr: e, loc } : { t: "unk", expr: e, loc, origin };
}

export function str(text: string, loc: SourceLocation, segs?: Segment[]): PValue {
  return segs ? { t: "str", v: { parts: [text], loc }, segs } : { t: "str", v: { parts: [text], loc } };
}

export function locOf(v: PValue): SourceLocation {
  return v.t === "str" ? v.v.loc : v.loc;
}

/** The literal text of a fully known string. */
export function textOf(v: PValue | undefined): string | undefined {
  return v?.t === "str" ? knownText(v.v) : undefined;
}

/** The parts of a value used inside a string (concatenation, template): unknown when not a string or scalar. */
export function partsOf(v: PValue, describe: string): Part[] {
  switch (v.t) {
    case "str":
      return v.v.parts;
    case "num":
    case "bool":
      return [String(v.v)];
    case "unk":
      return [{ unknown: v.expr }];
    default:
      return [{ unknown: describe }];
  }
}

/**
 * A string value concatenated from pieces. Its text segments say where each piece was written (a JSON
 * document built from pieces keeps the position of each value); a piece that is not a string stands as
 * one unknown node.
 */
export function concat(pieces: PValue[], loc: SourceLocation, describe: (v: PValue) => string): PValue {
  const parts: Part[] = [];
  const segs: Segment[] = [];
  const origins = new Set<string>();
  for (const p of pieces) {
    parts.push(...partsOf(p, describe(p)));
    if (p.t === "str" && p.v.origin) origins.add(p.v.origin);
    if (p.t === "unk" && p.origin) origins.add(p.origin);
    segs.push(...segmentsOf(p, describe));
  }
  const v: StrValue = { parts: joinParts(parts), loc };
  if (origins.size > 0) v.origin = [...origins].join("; ");
  return { t: "str", v, segs };
}

function segmentsOf(p: PValue, describe: (v: PValue) => string): Segment[] {
  if (p.t === "str") {
    if (p.segs) return p.segs;
    const at = p.v.loc;
    return p.v.parts.map((part): Segment =>
      typeof part === "string"
        ? { text: part, locate: () => at }
        : { node: { kind: "unknown", expr: part.unknown, loc: at } },
    );
  }
  if (p.t === "num" || p.t === "bool") return [{ text: String(p.v), locate: () => p.loc }];
  return [{ node: { kind: "unknown", expr: describe(p), loc: locOf(p) } }];
}

/** Places a value (deeply) where it is used, keeping or setting where it was defined. */
export function relocateValue(v: PValue, loc: SourceLocation, origin: string | undefined, depth = 0): PValue {
  if (depth > 60) return unk("…", loc, origin);
  switch (v.t) {
    case "str": {
      // A known value is reported where it is read: the constant read there is where to look (its definition
      // shows what it was built from). For one with unknown parts, the inner origin says why they are unknown.
      const known = v.v.parts.every((p) => typeof p === "string");
      const o = known ? (origin ?? v.v.origin) : (v.v.origin ?? origin);
      return { t: "str", v: o === undefined ? { parts: v.v.parts, loc } : { parts: v.v.parts, loc, origin: o } };
    }
    case "num":
    case "bool":
    case "null":
      return { ...v, loc };
    case "unk": {
      const o = v.origin ?? origin;
      return o === undefined ? { t: "unk", expr: v.expr, loc } : { t: "unk", expr: v.expr, loc, origin: o };
    }
    case "arr": {
      const out: PValue = { t: "arr", items: v.items.map((i) => relocateValue(i, loc, origin, depth + 1)), loc };
      if (v.rest) out.rest = { ...v.rest, loc };
      return out;
    }
    case "obj": {
      const out: PValue = {
        t: "obj",
        entries: v.entries.map((e) => ({
          key: e.key,
          keyLoc: loc,
          value: relocateValue(e.value, loc, origin, depth + 1),
        })),
        loc,
      };
      if (v.rest) out.rest = { ...v.rest, loc };
      // Still every key it will ever have: a key it lacks reads as `undefined`, as where it was written.
      else if (v.closed) out.closed = true;
      out.of = v.of ?? v;
      return out;
    }
    case "lib":
      return { t: "lib", obj: relocateLib(v.obj, loc, origin, depth), loc };
    default:
      return v;
  }
}

/** Library objects holding plain values (JSON documents) carry them along when relocated. */
function relocateLib(obj: LibObject, loc: SourceLocation, origin: string | undefined, depth: number): LibObject {
  if (obj.kind === "json" && obj.value)
    return { kind: "json", value: relocateValue(obj.value as PValue, loc, origin, depth + 1) };
  return obj;
}

/** Entry of an object value by key. */
export function field(v: PValue | undefined, key: string): PValue | undefined {
  if (v?.t !== "obj") return undefined;
  for (let i = v.entries.length - 1; i >= 0; i--) {
    const e = v.entries[i];
    if (e && e.key === key) return e.value;
  }
  return undefined;
}

export function obj(entries: [string, PValue][], loc: SourceLocation): PValue {
  return { t: "obj", entries: entries.map(([key, value]) => ({ key, keyLoc: loc, value })), loc };
}

/** The object a copy made by `relocateValue` stands for: where a change to it must be made. */
export function original(v: PValue): PValue {
  return v.t === "obj" && v.of ? v.of : v;
}

export function arr(items: PValue[], loc: SourceLocation): PValue {
  return { t: "arr", items, loc };
}

/** Converts an evaluated value into the located tree `normalisePolicy` reads. */
export function toTree(v: PValue, depth = 0): TreeNode {
  const loc = locOf(v);
  if (depth > 100) return { kind: "unknown", expr: "nested too deeply", loc };
  switch (v.t) {
    case "str":
      return { kind: "string", value: v.v, loc };
    case "num":
    case "bool":
      return { kind: "scalar", value: v.v, loc };
    case "null":
      return { kind: "scalar", value: null, loc };
    case "arr": {
      const items = v.items.map((i) => toTree(i, depth + 1));
      if (v.rest)
        items.push(
          v.rest.origin === undefined
            ? { kind: "unknown", expr: `...${v.rest.expr}`, loc: v.rest.loc }
            : { kind: "unknown", expr: `...${v.rest.expr}`, loc: v.rest.loc, origin: v.rest.origin },
        );
      return { kind: "array", items, loc };
    }
    case "obj": {
      // A spread of an unknown object may add or replace any key: the object as a whole is unknown.
      if (v.rest) return { kind: "unknown", expr: `...${v.rest.expr}`, loc: v.rest.loc };
      return {
        kind: "object",
        entries: v.entries.map((e) => ({ key: { value: e.key, loc: e.keyLoc }, value: toTree(e.value, depth + 1) })),
        loc,
      };
    }
    case "unk": {
      const node: TreeNode =
        v.origin === undefined
          ? { kind: "unknown", expr: v.expr, loc }
          : { kind: "unknown", expr: v.expr, loc, origin: v.origin };
      if (v.branches)
        branchValues.set(
          node,
          v.branches.map((b) => toTree(b, depth + 1)),
        );
      return node;
    }
    default:
      return { kind: "unknown", expr: describeValue(v), loc };
  }
}

export function describeValue(v: PValue): string {
  switch (v.t) {
    case "ext":
      return v.path;
    case "lib":
      return v.obj.kind;
    case "fn":
      return v.name ?? "function";
    case "inst":
      return v.cls;
    case "unk":
      return v.expr;
    default:
      return v.t;
  }
}

/** `snake_case` → `camelCase` (Python keyword arguments of jsii and Pulumi libraries). */
export function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Keyword arguments as one props object (Python's form of a TypeScript props argument). */
export function kwargsObject(args: CallArgs, loc: SourceLocation): PValue | undefined {
  if (args.keywords.size === 0) return undefined;
  return {
    t: "obj",
    entries: [...args.keywords].map(([k, value]) => ({ key: camel(k), keyLoc: locOf(value), value })),
    loc,
  };
}

import type { SourceLocation } from "./location.js";

/**
 * A piece of a string whose content could not be resolved statically: a Terraform variable without a
 * default, a CloudFormation `!ImportValue`, a `${{ secrets.X }}` expression. `expr` is how the source
 * wrote it, for messages.
 */
export interface Unknown {
  unknown: string;
}

export type Part = string | Unknown;

/**
 * Where a value that came whole through a definition was written, as data (what `origin` says in words):
 * `kind` names the definition (`variable default` of variable `name`, a `tfvars` entry, a `local`, a
 * module argument, a template variable, a `for_each` entry), `loc` the value as written there.
 */
export interface ValueSource {
  kind: "variable default" | "tfvars" | "local" | "module argument" | "template variable" | "for_each";
  name: string;
  loc: SourceLocation;
}

/**
 * A string value of the model. Known when every part is a string; a partly known template when some
 * parts are unknown; wholly unknown when its only part is unknown. `origin` says where a value that
 * came through a variable, local, tfvars entry or parameter was defined; `source`, for a value that came
 * whole from one definition, where it is written there.
 */
export interface StrValue {
  parts: Part[];
  loc: SourceLocation;
  origin?: string;
  source?: ValueSource;
}

export type Resolution = "known" | "template" | "unknown";

export function isUnknownPart(p: Part): p is Unknown {
  return typeof p !== "string";
}

export function resolution(v: StrValue): Resolution {
  const unknowns = v.parts.filter(isUnknownPart).length;
  if (unknowns === 0) return "known";
  return v.parts.every(isUnknownPart) ? "unknown" : "template";
}

export function isKnown(v: StrValue): boolean {
  return v.parts.every((p) => typeof p === "string");
}

/** The literal text of a known value; undefined when any part is unknown. */
export function knownText(v: StrValue): string | undefined {
  const { parts } = v;
  if (parts.length === 1) {
    const only = parts[0];
    return typeof only === "string" ? only : undefined;
  }
  // (Indexed: rules ask this of every value, and a loop by iterator allocates until it is optimised.)
  let out = "";
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (typeof p !== "string") return undefined;
    out += p;
  }
  return out;
}

/** The value as a reader would write it, unknown parts as `${expr}`. */
export function displayText(v: StrValue): string {
  const { parts } = v;
  const only = parts.length === 1 ? parts[0] : undefined;
  if (typeof only === "string") return only;
  return parts.map((p) => (typeof p === "string" ? p : `\${${p.unknown}}`)).join("");
}

export function strValue(text: string, loc: SourceLocation, origin?: string): StrValue {
  return origin === undefined ? { parts: [text], loc } : { parts: [text], loc, origin };
}

export function unknownValue(expr: string, loc: SourceLocation): StrValue {
  return { parts: [{ unknown: expr }], loc };
}

/** Joins parts, merging neighbouring literal strings. */
export function joinParts(parts: readonly Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === "string") {
      if (p === "") continue;
      if (typeof last === "string") out[out.length - 1] = last + p;
      else out.push(p);
    } else out.push(p);
  }
  return out.length === 0 ? [""] : out;
}

/** The unknown names a value depends on, for messages ("depends on var.org, which has no default"). */
export function unknownNames(v: StrValue): string[] {
  return v.parts.filter(isUnknownPart).map((p) => p.unknown);
}

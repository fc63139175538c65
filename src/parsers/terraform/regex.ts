import type { RE2JS } from "re2js";

/**
 * Terraform's regular expressions (`regex`, `regexall`, `replace` with `/…/`) are Go's `regexp`: RE2
 * syntax, matched in linear time. `re2js` is the pure-JavaScript port of RE2 (no native code, no
 * WebAssembly); it is imported (`loadRegexEngine`, ~30 ms) when evaluation first meets a regular expression, so
 * runs without one never load it (most modules that name a regular-expression function never evaluate one).
 * Evaluation is synchronous: a regular expression met without the engine loaded throws `RegexEngineNeeded`, and
 * the caller loads the engine and evaluates that group of modules again. JavaScript's own `RegExp` must not be used: it backtracks
 * (`/(a+)+$/` takes time exponential in the input) and its syntax differs.
 */
let engine: typeof RE2JS | undefined;

/** Thrown by `compileRegex` before `loadRegexEngine` has finished. */
export class RegexEngineNeeded extends Error {
  constructor() {
    super("the regular expression engine is not loaded");
  }
}

export async function loadRegexEngine(): Promise<void> {
  engine ??= (await import("re2js")).RE2JS;
}

export type Compiled = { re: RE2JS } | { error: string };

/** Longest pattern accepted: RE2 compiles in time and memory proportional to the pattern. */
const MAX_PATTERN = 10_000;

export function compileRegex(pattern: string): Compiled {
  if (pattern.length > MAX_PATTERN)
    return { error: `a regular expression longer than ${String(MAX_PATTERN)} characters` };
  if (!engine) throw new RegexEngineNeeded();
  try {
    return { re: engine.compile(pattern) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

export interface Match {
  start: number;
  end: number;
  /** Group texts by index (0 is the whole match); null for a group that did not take part. */
  groups: (string | null)[];
}

/**
 * Successive non-overlapping matches, as Go finds them: an empty match right after the previous match
 * is skipped. `limit` bounds how many are returned.
 */
export function allMatches(re: RE2JS, text: string, limit: number): Match[] {
  const m = re.matcher(text);
  const n = m.groupCount();
  const out: Match[] = [];
  let pos = 0;
  let prevEnd = -1;
  while (pos <= text.length && out.length < limit) {
    if (!m.find(pos)) break;
    const start = m.start();
    const end = m.end();
    if (start === end && start === prevEnd) {
      pos = start + (isHighSurrogate(text.charCodeAt(start)) ? 2 : 1);
      continue;
    }
    const groups: (string | null)[] = [];
    for (let i = 0; i <= n; i++) groups.push(m.group(i));
    out.push({ start, end, groups });
    prevEnd = end;
    pos = end > start ? end : end + (isHighSurrogate(text.charCodeAt(end)) ? 2 : 1);
  }
  return out;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** Go's `Regexp.Expand` of a replacement: `$1`, `${1}`, `$name`, `${name}`, `$$`; an unknown name is empty. */
export function expand(template: string, match: Match, names: Record<string, number>): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template.charAt(i);
    if (c !== "$") {
      out += c;
      continue;
    }
    const next = template[i + 1];
    if (next === "$") {
      out += "$";
      i++;
      continue;
    }
    let name: string | undefined;
    if (next === "{") {
      const close = template.indexOf("}", i + 2);
      const inner = close < 0 ? "" : template.slice(i + 2, close);
      if (close >= 0 && /^\w+$/.test(inner)) {
        name = inner;
        i = close;
      }
    } else {
      const word = /^\w+/.exec(template.slice(i + 1))?.[0];
      if (word) {
        name = word;
        i += word.length;
      }
    }
    if (name === undefined) {
      out += "$";
      continue;
    }
    const index = /^\d+$/.test(name) ? Number(name) : names[name];
    out += index === undefined ? "" : (match.groups[index] ?? "");
  }
  return out;
}

/** Every match of `re` in `text` replaced by `template` expanded (Go's `ReplaceAllString`). */
export function replaceAll(re: RE2JS, text: string, template: string): string {
  const names = re.namedGroups();
  let out = "";
  let last = 0;
  for (const m of allMatches(re, text, Number.MAX_SAFE_INTEGER)) {
    out += text.slice(last, m.start) + expand(template, m, names);
    last = m.end;
  }
  return out + text.slice(last);
}

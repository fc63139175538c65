import { displayText, isUnknownPart, joinParts, type Part, type StrValue } from "../model/value.js";

/**
 * Values of the workflow contexts a `with:` input or `environment:` reads, where they are written in the
 * linted files or given in the config:
 * - `${{ env.X }}`: the nearest `env:` that declares `X` — the step's, then (through composite actions)
 *   the calling steps', the job's, the workflow's (GitHub's precedence: the most specific wins). A name
 *   an earlier `run` step writes to `$GITHUB_ENV` is unknown;
 * - `${{ matrix.a.b }}`: the value of the matrix combination being considered;
 * - `${{ vars.X }}` / `${{ secrets.X }}`: the config map `variables` (`"vars.X"` / `"secrets.X"`; names
 *   are case-insensitive, as GitHub's are).
 * Only a plain property reference is resolved (`env.X`, `env['X']`); any other expression stays unknown.
 */
export interface ValueContexts {
  /** `env:` maps, nearest first. */
  env: readonly Map<string, StrValue>[];
  /** Names written to `$GITHUB_ENV` before the step: their `env.X` is not known. */
  dynamicEnv?: ReadonlySet<string>;
  matrix?: ReadonlyMap<string, StrValue>;
  /** Config `variables`: `vars.NAME` / `secrets.NAME` (keys lower-cased) → value. */
  variables?: ReadonlyMap<string, string>;
}

const REF = /^(env|vars|secrets|matrix)((?:\s*\.\s*[A-Za-z_][\w-]*|\s*\[\s*'[^']*'\s*\]|\s*\[\s*"[^"]*"\s*\])+)$/;
const SEGMENT = /\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]/g;

/** `env.ROLE` → `["env", ["ROLE"]]`; undefined for anything else. */
function reference(expr: string): [string, string[]] | undefined {
  const m = REF.exec(expr.trim());
  if (!m?.[1] || m[2] === undefined) return undefined;
  const path = [...m[2].matchAll(SEGMENT)].map((s) => s[1] ?? s[2] ?? s[3] ?? "");
  return [m[1], path];
}

/** Lower-cased `vars.NAME` / `secrets.NAME` keys of the config map. */
export function variablesMap(config: Readonly<Record<string, string>> | undefined): Map<string, string> {
  return new Map(Object.entries(config ?? {}).map(([k, v]) => [k.trim().toLowerCase(), v]));
}

const MAX_DEPTH = 4;

/** One context reference's value and where it came from, or undefined when it is not known. */
function lookup(
  kind: string,
  path: string[],
  ctx: ValueContexts,
  depth: number,
): { value: StrValue; origin: string } | undefined {
  if (kind === "env" && path.length === 1) {
    const name = path[0] ?? "";
    if (ctx.dynamicEnv?.has(name)) return undefined;
    for (const [i, scope] of ctx.env.entries()) {
      const v = scope.get(name);
      // An env value may itself read the matrix, variables or an outer env (never its own level).
      if (v)
        return {
          value: resolveContexts(v, { ...ctx, env: ctx.env.slice(i + 1) }, depth + 1),
          origin: `env \`${name}\` (line ${v.loc.line})`,
        };
    }
    return undefined;
  }
  if (kind === "matrix") {
    const key = path.join(".");
    const v = ctx.matrix?.get(key);
    return v ? { value: v, origin: `matrix \`${key}\` (line ${v.loc.line})` } : undefined;
  }
  if ((kind === "vars" || kind === "secrets") && path.length === 1) {
    const key = `${kind}.${(path[0] ?? "").toLowerCase()}`;
    const text = ctx.variables?.get(key);
    return text === undefined
      ? undefined
      : {
          value: { parts: [text], loc: { file: "", line: 0, column: 0, endLine: 0, endColumn: 0 } },
          origin: `config \`variables\` \`${kind}.${path[0] ?? ""}\``,
        };
  }
  return undefined;
}

/** The value with every resolvable context reference replaced; `origin` names where the values came from. */
export function resolveContexts(v: StrValue, ctx: ValueContexts, depth = 0): StrValue {
  if (depth > MAX_DEPTH || v.parts.every((p) => !isUnknownPart(p))) return v;
  const parts: Part[] = [];
  const origins: string[] = [];
  for (const p of v.parts) {
    const ref = isUnknownPart(p) ? reference(p.unknown) : undefined;
    const found = ref ? lookup(ref[0], ref[1], ctx, depth) : undefined;
    if (!found) {
      parts.push(p);
      continue;
    }
    parts.push(...found.value.parts);
    origins.push(found.value.origin ? `${found.origin}, ${found.value.origin}` : found.origin);
  }
  if (origins.length === 0) return v;
  const origin = [v.origin, ...origins].filter((o): o is string => o !== undefined).join("; ");
  return { ...v, parts: joinParts(parts), origin };
}

/** Names a `run` step writes to `$GITHUB_ENV` (`echo "ROLE=…" >> $GITHUB_ENV`, `NAME<<EOF`). */
export function githubEnvWrites(run: string): string[] {
  if (!run.includes("GITHUB_ENV")) return [];
  return [...run.matchAll(/(?:^|[\s"'`;(])([A-Za-z_][A-Za-z0-9_]*)(?:=|<<)/g)].map((m) => m[1] ?? "");
}

/** `environment: dev, region: eu-west-1`: a combination for messages, limited to the given keys when any. */
export function describeCombination(c: ReadonlyMap<string, StrValue>, keys?: readonly string[]): string {
  const shown = keys && keys.length > 0 ? keys.filter((k) => c.has(k)) : [...c.keys()];
  return shown
    .map((k) => {
      const text = displayText(c.get(k) as StrValue);
      return `${k}: ${text === "" ? '""' : text}`;
    })
    .join(", ");
}

/** The matrix keys a value reads (`${{ matrix.environment }}` → `environment`). */
export function matrixKeysRead(v: StrValue | undefined): string[] {
  const out: string[] = [];
  for (const p of v?.parts ?? []) {
    const ref = isUnknownPart(p) ? reference(p.unknown) : undefined;
    if (ref?.[0] === "matrix") out.push(ref[1].join("."));
  }
  return out;
}

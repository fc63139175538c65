import type { TextEdit } from "../engine/rule.js";
import type { SourceLocation } from "../model/location.js";
import type { Job, Permissions, Workflow } from "../model/workflow.js";
import type { Fixer } from "./fixer.js";
import { allOf } from "./fixer.js";
import { change, type Change } from "./policy-fixes.js";

/**
 * Fixes of workflow `permissions` that keep every other scope and the author's layout: an entry is added
 * under the entries already there (same indentation) or inside a flow mapping; a job that has no
 * `permissions` of its own gets a block as its first key, indented like its other keys, repeating the
 * workflow-level scopes it inherited (a job's `permissions` replace the workflow's). Nothing is fixed
 * through an expression, `read-all` / `write-all`, or a layout these edits cannot read with certainty.
 */

const ID_TOKEN_WRITE = "id-token: write";

/** `name: value` of every scope a map grants besides `id-token`, in the order written. */
function otherScopes(p: Permissions): string[] {
  return [...p.scopes].filter(([name]) => name !== "id-token").map(([name, v]) => `${name}: ${v.value.trim()}`);
}

function eolOf(text: string): string {
  return text.includes("\r\n") ? "\r\n" : "\n";
}

/** Offset of the start of a 1-based line (the end of the text past the last line). */
function lineStart(fixer: Fixer, file: string, line: number): number | undefined {
  const src = fixer.source(file);
  if (!src) return undefined;
  return line > src.lines.lineCount ? src.text.length : src.lines.offset(line, 1);
}

/** The leading spaces of a location's line when nothing but spaces precedes it there (a block key). */
function blockIndent(fixer: Fixer, loc: SourceLocation): string | undefined {
  const before = fixer
    .source(loc.file)
    ?.lines.lineText(loc.line)
    .slice(0, loc.column - 1);
  return before !== undefined && /^ *$/.test(before) ? before : undefined;
}

/** A flow mapping `{ a: b, … }` on one line, without comments or quotes, as its entries. */
function flowEntries(fixer: Fixer, loc: SourceLocation): { entries: string[]; start: number; end: number } | undefined {
  const o = fixer.offsets(loc);
  if (!o) return undefined;
  const slice = o.text.slice(o.start, o.end);
  if (!/^\{[^\n#'"{}]*\}$/.test(slice)) return undefined;
  const entries = slice
    .slice(1, -1)
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  return { entries, start: o.start, end: o.end };
}

function flowText(entries: readonly string[]): string {
  return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
}

/** Adds `id-token: write` to a block or flow `permissions` mapping that has no `id-token` entry. */
function addEntry(fixer: Fixer, p: Permissions): TextEdit | undefined {
  const file = p.loc.file;
  const flow = flowEntries(fixer, p.loc);
  if (flow) return fixer.edit(file, flow.start, flow.end, flowText([...flow.entries, ID_TOKEN_WRITE]));
  const keys = [...(p.scopeKeys?.values() ?? [])];
  const last = keys.reduce<SourceLocation | undefined>(
    (a, k) => (a === undefined || k.line > a.line ? k : a),
    undefined,
  );
  if (!last || keys.some((k) => k.column !== last.column)) return undefined;
  const indent = blockIndent(fixer, last);
  const src = fixer.source(file);
  const at = lineStart(fixer, file, last.line + 1);
  if (indent === undefined || !src || at === undefined) return undefined;
  // A value that continues on the next lines is not a scope (`contents: read`): leave such a layout alone.
  const next = src.lines.lineText(last.line + 1);
  if (next.trim() !== "" && !next.trimStart().startsWith("#") && next.length - next.trimStart().length > indent.length)
    return undefined;
  const eol = eolOf(src.text);
  const lead = at === src.text.length && !src.text.endsWith("\n") ? eol : "";
  return fixer.edit(file, at, at, `${lead}${indent}${ID_TOKEN_WRITE}${eol}`);
}

/** A `permissions` block with `entries`, inserted as the first key of a job written as a block mapping. */
function insertJobBlock(fixer: Fixer, job: Job, entries: readonly string[]): TextEdit | undefined {
  const file = job.loc.file;
  const indent = blockIndent(fixer, job.loc);
  const keyIndent = blockIndent(fixer, job.id.loc);
  const src = fixer.source(file);
  const at = lineStart(fixer, file, job.loc.line);
  if (indent === undefined || keyIndent === undefined || indent.length <= keyIndent.length || !src || at === undefined)
    return undefined;
  if (job.loc.line <= job.id.loc.line) return undefined;
  const step = " ".repeat(indent.length - keyIndent.length);
  const eol = eolOf(src.text);
  return fixer.edit(
    file,
    at,
    at,
    `${indent}permissions:${eol}${entries.map((e) => `${indent}${step}${e}${eol}`).join("")}`,
  );
}

/**
 * `missing-id-token-permission`: gives `job` `id-token: write` and keeps every scope it has (its own
 * `permissions`, or the workflow's it inherits). Without any `permissions` the job runs with the
 * repository default, which oidclint cannot see: `contents: read` plus `id-token: write` is then only a
 * suggestion.
 */
export function addIdTokenWrite(fixer: Fixer, job: Job, wf: Workflow): Change {
  const desc = `Give job \`${job.id.value}\` \`${ID_TOKEN_WRITE}\`, keeping its other scopes`;
  const own = job.permissions;
  if (own) {
    if (own.kind === "empty") {
      const flow = flowEntries(fixer, own.loc);
      return change(
        flow ? allOf([fixer.edit(own.loc.file, flow.start, flow.end, flowText([ID_TOKEN_WRITE]))]) : undefined,
        true,
        desc,
      );
    }
    if (own.kind !== "map") return {};
    const current = own.scopes.get("id-token");
    if (current) return change(fixer.replaceValue(current, current.value, "write"), true, desc);
    return change(allOf([addEntry(fixer, own)]), true, desc);
  }
  const inherited = wf.permissions;
  if (!inherited)
    return change(
      allOf([insertJobBlock(fixer, job, ["contents: read", ID_TOKEN_WRITE])]),
      false,
      `Give job \`${job.id.value}\` \`permissions: { contents: read, ${ID_TOKEN_WRITE} }\` (check the other scopes it needs)`,
    );
  if (inherited.kind !== "map" && inherited.kind !== "empty") return {};
  return change(allOf([insertJobBlock(fixer, job, [...otherScopes(inherited), ID_TOKEN_WRITE])]), true, desc);
}

/** Removes the `id-token` entry of a workflow-level `permissions` mapping, leaving `{}` when it was the only one. */
function removeIdToken(fixer: Fixer, p: Permissions): TextEdit | undefined {
  const file = p.loc.file;
  const flow = flowEntries(fixer, p.loc);
  if (flow)
    return fixer.edit(file, flow.start, flow.end, flowText(flow.entries.filter((e) => !/^id-token\s*:/.test(e))));
  const key = p.scopeKeys?.get("id-token");
  const src = fixer.source(file);
  if (!key || !src || blockIndent(fixer, key) === undefined) return undefined;
  const start = lineStart(fixer, file, key.line);
  const end = lineStart(fixer, file, key.line + 1);
  if (start === undefined || end === undefined) return undefined;
  if (p.scopes.size > 1) return fixer.edit(file, start, end, "");
  // The only entry: `permissions:` + newline + entry becomes `permissions: {}`.
  const keyEnd = src.lines.offset(p.keyLoc.endLine, p.keyLoc.endColumn);
  const between = src.text.slice(keyEnd, start);
  if (!/^\s*:[ \t]*\r?\n[ \t\r\n]*$/.test(between)) return undefined;
  const lineEnd =
    end === src.text.length && !src.text.endsWith("\n") ? end : end - (src.text.slice(0, end).endsWith("\r\n") ? 2 : 1);
  return fixer.edit(file, keyEnd, lineEnd, ": {}");
}

/**
 * `excessive-id-token-scope`: removes `id-token: write` from the workflow level and gives each job that
 * needs or may need a token (`needing`, jobs without `permissions` of their own) a block with the
 * workflow's other scopes plus `id-token: write`. All or nothing: every such job must be covered.
 */
export function moveIdTokenToJobs(fixer: Fixer, wf: Workflow, needing: readonly Job[]): Change {
  const p = wf.permissions;
  if (p?.kind !== "map" || p.scopes.get("id-token")?.value.trim() !== "write") return {};
  const entries = [...otherScopes(p), ID_TOKEN_WRITE];
  const fix = allOf([removeIdToken(fixer, p), ...needing.map((job) => insertJobBlock(fixer, job, entries))]);
  const jobs = needing.map((j) => `\`${j.id.value}\``).join(", ");
  return change(
    fix,
    true,
    needing.length === 0 ? "Remove the workflow-level `id-token: write`" : `Move \`id-token: write\` to ${jobs}`,
  );
}

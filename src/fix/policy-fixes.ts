import type { Fix, Suggestion } from "../engine/rule.js";
import type { SourceLocation } from "../model/location.js";
import type { Condition, Statement } from "../model/policy.js";
import { addStringEquals } from "./add-condition.js";
import { analyseSub, type SubConditionValue } from "../analysis/sub-pattern.js";
import { knownText, type ValueSource } from "../model/value.js";
import type { Fixer } from "./fixer.js";

/** What a report carries for a change: a fix when it is certain, else the same change as a suggestion. */
export interface Change {
  fix?: Fix;
  suggestions?: Suggestion[];
}

export function change(fix: Fix | undefined, certain: boolean, desc: string): Change {
  if (!fix) return {};
  return certain ? { fix } : { suggestions: [{ desc, fix }] };
}

/**
 * Replaces a value written literally (see `Fixer.replaceValue`): a fix when `certain`, else a suggestion.
 * A value that came whole from a Terraform variable's default (`source`) is never fixed where it is used:
 * the default is a module input that a caller, a tfvars file or `-var` may override, so the edit would
 * look certain without being so. The same replacement at the default is then offered as a suggestion.
 */
export function valueChange(
  fixer: Fixer,
  at: { loc: SourceLocation; source?: ValueSource },
  old: string,
  text: string,
  certain: boolean,
): Change {
  const desc = `Replace \`${old}\` by \`${text}\``;
  const here = change(fixer.replaceValue(at, old, text), certain, desc);
  const def = at.source;
  if (here.fix || here.suggestions || def?.kind !== "variable default") return here;
  const fix = fixer.replaceValue(def, old, text);
  return change(fix, false, `${desc} in the default of variable \`${def.name}\` (callers may set another value)`);
}

/**
 * `ref:main` → `ref:refs/heads/main` is certain when that is the only change and the name cannot be a tag
 * (`ref:v1.2` may be either: a suggestion); `ref:heads/x` and `ref:tags/x` say which.
 */
export function shortRefIsCertain(text: string, suggestion: string): boolean {
  const m = /(?<=:)ref:(?!refs\/)(heads\/|tags\/)?([^:]*)/.exec(text);
  if (!m) return false;
  if (text.replace(m[0], `ref:refs/${m[1] ?? "heads/"}${m[2] ?? ""}`) !== suggestion) return false;
  return m[1] !== undefined || !/^v?\d/.test(m[2] ?? "");
}

const LIKE_OPERATOR: Record<string, string> = {
  StringEquals: "StringLike",
  StringEqualsIfExists: "StringLikeIfExists",
};

/** Whether a wildcard in a sub value under `StringEquals` was clearly meant as one: as a pattern it pins the owner and repository and only ranges over refs or values of one kind. */
function wildcardMeant(v: Pick<SubConditionValue, "value">, template: readonly string[]): boolean {
  const a = analyseSub(v.value, "like", template);
  return a.canMatch && a.breadth === "scoped" && a.owner !== undefined && a.repo !== undefined;
}

/**
 * `StringEquals` → `StringLike` for a sub value whose wildcard was clearly meant. The operator covers every
 * key of its block, so the change is certain only when no other value of the block holds `*` or `?` that is
 * not clearly meant too, and the statement has no `StringLike` block the renamed one would collide with.
 */
export function operatorToLike(fixer: Fixer, v: SubConditionValue, template: readonly string[]): Change {
  const op = v.condition.condition.operator;
  const like = LIKE_OPERATOR[op.value];
  if (!like) return {};
  const block = blockOf(v.stmt, op.loc);
  const othersPlain = block.every((c) =>
    c.values.items.every((item) => {
      const text = knownText(item);
      if (text === undefined) return false;
      if (!/[*?]/.test(text)) return true;
      return /:sub$/i.test(knownText(c.key) ?? "") && wildcardMeant({ value: item }, template);
    }),
  );
  const collides = v.stmt.conditions.some((c) => c.operator.value === like);
  const certain = othersPlain && !collides && wildcardMeant(v, template);
  return change(fixer.replaceValue(op, op.value, like), certain, `Replace \`${op.value}\` by \`${like}\``);
}

/** The conditions written under one operator (they share its location). */
function blockOf(stmt: Statement, opLoc: SourceLocation): Statement["conditions"] {
  return stmt.conditions.filter(
    (c) =>
      c.operator.loc.file === opLoc.file &&
      c.operator.loc.line === opLoc.line &&
      c.operator.loc.column === opLoc.column,
  );
}

/**
 * The missing `aud` condition: `StringEquals { <issuer>:aud: <audience> }` added beside the statement's
 * `sub` condition (see `addStringEquals`), with the issuer as the `sub` key writes it. `template` is the
 * `sub` condition (or, without one, another condition on a GitHub claim, then only a suggestion).
 */
export function addAudience(
  fixer: Fixer,
  stmt: Statement,
  template: Condition,
  audience: string,
  certain: boolean,
): Change {
  const key = knownText(template.key);
  if (key === undefined) return {};
  const audKey = `${key.slice(0, key.lastIndexOf(":") + 1)}aud`;
  return change(
    addStringEquals(fixer, stmt, template, audKey, audience),
    certain,
    `Add \`"StringEquals": { "${audKey}": "${audience}" }\``,
  );
}

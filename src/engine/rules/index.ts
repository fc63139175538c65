import type { AnyRule } from "../rule.js";
import parseError from "./parse-error.js";
import unusedSuppression from "./unused-suppression.js";

/**
 * The engine's own rules, as ESLint has its built-in problems: `parse-error` (a parser's problem) and
 * `unused-suppression` (a suppression comment that silenced nothing) are reported by the engine itself,
 * not by a check, so they exist in every rule set `lint()` runs. They have an id, a level, a doc page
 * (`rules/<id>.md`) and fixtures like any rule, and are configured the same way.
 */
export const ENGINE_RULES = { parseError, unusedSuppression } as const;

const ENGINE_RULE_LIST: readonly unknown[] = Object.values(ENGINE_RULES);

/** Whether `rule` is one of the engine's own (reported by the engine, never run as a check). */
export function isEngineRule(rule: AnyRule): boolean {
  return ENGINE_RULE_LIST.includes(rule);
}

/** `rules` with the engine's own rules added (once). */
export function withEngineRules(rules: readonly AnyRule[]): readonly AnyRule[] {
  const own = [unusedSuppression, parseError] as unknown as readonly AnyRule[];
  const ids = new Set(rules.map((r) => r.meta.id));
  return [...rules, ...own.filter((r) => !ids.has(r.meta.id))];
}

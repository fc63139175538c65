import { compileIamValue } from "./iam-evaluation.js";
import type { MatchMode } from "./sub-pattern.js";

/**
 * The repository of a sub (`repo:OWNER/REPO:…`) when the sub patterns a role accepts name repositories and
 * none of them is this one: the refusal is about the repository, not the branch or environment, and the
 * fix is another role (or, after a rename, the new name) — never granting this role to whatever asked.
 * Undefined when a pattern does not start with a repository (`*`, `repo:*`) or one admits it.
 */
export function refusedRepository(
  sub: string,
  patterns: readonly string[],
  mode: MatchMode | "other" = "like",
): { repo: string; trusted: string[] } | undefined {
  const repo = /^repo:([^:]+):/.exec(sub)?.[1];
  if (repo === undefined) return undefined;
  const trusted = patterns.map((p) => /^repo:([^:]+):/.exec(p)?.[1]).filter((r): r is string => r !== undefined);
  if (trusted.length === 0 || trusted.length < patterns.length) return undefined;
  // Names are compared without letter case: the case a sub carries is GitHub's, not something to rely on here.
  const lower = repo.toLowerCase();
  if (trusted.some((r) => compileIamValue(r.toLowerCase(), mode)?.matches(lower) !== false)) return undefined;
  return { repo, trusted: [...new Set(trusted)] };
}

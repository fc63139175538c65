import { defineRule } from "../src/engine/rule.js";
import { analyseSub, githubSubValues, valueNote, type SubConditionValue } from "../src/analysis/sub-pattern.js";
import { githubConditions } from "../src/analysis/github-trust.js";
import { editDistance } from "../src/analysis/edit-distance.js";

/**
 * The inventory entry a name is plausibly a typo of: same owner, and at most one edit for a short
 * repository name (two for a long one). A wider neighbour is another repository, not a typo: naming it
 * would suggest granting the role to an unrelated repository (names of three letters or fewer get none).
 */
function typoOf(name: string, inventory: readonly string[]): string | undefined {
  const [owner = "", repo = ""] = name.toLowerCase().split("/");
  const budget = repo.length >= 12 ? 2 : repo.length > 3 ? 1 : 0;
  const close = inventory.filter((known) => {
    const [o = "", r = ""] = known.toLowerCase().split("/");
    return o === owner && editDistance(repo, r) <= budget;
  });
  // Two equally plausible neighbours: nothing to suggest.
  return close.length === 1 ? close[0] : undefined;
}

/**
 * What to ask about a name the inventory lacks. The linted repository itself comes first: a role whose
 * every exact sub value names one repository of the configured owner is this repository's role, and the
 * name is most likely its old name (a rename). Then a plausible typo. Both are questions: only the reader
 * knows whether the repository was renamed; nothing else is suggested.
 */
function staleHint(
  v: SubConditionValue,
  repository: string,
  inventory: readonly string[],
  configured: string | undefined,
  template: readonly string[],
): string {
  const { owner = "", repo = "", text } = v.analysis;
  const named = new Set<string>();
  for (const c of githubConditions(v.stmt, { issuer: v.condition.issuer })) {
    if (c.claim !== "sub") continue;
    for (const item of c.condition.values.items) {
      const a = analyseSub(item, v.mode, template);
      if (a.owner !== undefined && a.repo !== undefined) named.add(`${a.owner}/${a.repo}`.toLowerCase());
    }
  }
  const sameOwner = configured !== undefined && configured.toLowerCase().split("/")[0] === owner.toLowerCase();
  if (
    configured !== undefined &&
    sameOwner &&
    named.size === 1 &&
    inventory.some((r) => r.toLowerCase() === configured.toLowerCase())
  ) {
    return `Was this repository (\`${configured}\`) renamed from \`${repository}\`? If so, the sub must name the new name (\`${renamed(text, owner, repo, configured)}\`); if not, check which repository this role is for.`;
  }
  const typo = typoOf(repository, inventory);
  if (typo !== undefined)
    return `Is \`${repository}\` a misspelling of \`${typo}\`? If so, correct the name (\`${renamed(text, owner, repo, typo)}\`); if not, add it to the inventory or remove it.`;
  return "Check the name: correct it if it is misspelt or the repository was renamed, add it to the inventory if it is new, or remove it if the repository is gone.";
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The value with `OWNER/REPO` (either form, ids kept) replaced by another name. */
function renamed(text: string, owner: string, repo: string, to: string): string {
  const [toOwner = owner, toRepo = repo] = to.split("/");
  const re = new RegExp(`(^|:)(repo|repository):${escapeRegExp(owner)}(@[^/:]*)?/${escapeRegExp(repo)}(?=@|:|$)`);
  return text.replace(
    re,
    (_m, start: string, key: string, ownerId: string | undefined) =>
      `${start}${key}:${toOwner}${ownerId ?? ""}/${toRepo}`,
  );
}

type Ctx = Parameters<(typeof rule)["check"]>[0];

/** `--online`: what the GitHub API said of each exact repository (inventory findings come from the check below). */
function reportOnline(ctx: Ctx, statuses: NonNullable<Ctx["project"]["repoStatuses"]>): void {
  const inventory = ctx.settings.repositories;
  for (const v of githubSubValues(ctx.project.policies, ctx.settings)) {
    const { owner, repo, text } = v.analysis;
    if (!v.analysis.canMatch || owner === undefined || repo === undefined) continue;
    const repository = `${owner}/${repo}`;
    // One problem, one finding: a name the inventory already flags is reported once, by the inventory check.
    if (inventory !== undefined && !inventory.includes(repository)) continue;
    const status = statuses.get(repository);
    const base = { value: text, note: valueNote(v.value), repository, operator: v.condition.condition.operator.value };
    if (status?.kind === "missing") ctx.report({ messageId: "missingOnline", at: v.value, data: base });
    else if (
      status?.kind === "renamed" ||
      (status?.kind === "ok" && status.fullName !== repository && v.mode !== "equalsIgnoreCase")
    ) {
      const canonical = status.fullName;
      const messageId = status.kind === "renamed" ? "renamedOnline" : "caseMismatch";
      ctx.report({
        messageId,
        at: v.value,
        data: { ...base, canonical, suggestion: renamed(text, owner, repo, canonical) },
      });
    }
  }
}

const rule = defineRule({
  meta: {
    id: "stale-repo-path",
    severity: "error",
    description: "Sub condition names a repository that is not in the configured inventory",
    inputs: ["policy"],
    fixable: false,
    messages: {
      notInInventory: {
        message: "`{{value}}` names `{{repository}}`, which is not in the repository inventory",
        explanation:
          "`{{value}}`{{note}} names `{{repository}}`, which is not among the {{count}} repositories of the configured inventory (`repositories` / `repositoriesFile`). A sub condition for a repository that does not exist (deleted, renamed, or misspelt) never lets your workflows in, and if someone later creates that name, theirs get this role.",
        fix: "{{hint}}",
      },
      caseMismatch: {
        message: "`{{value}}` writes `{{repository}}`, but the repository is `{{canonical}}`",
        explanation:
          "`{{value}}`{{note}} writes the repository as `{{repository}}`, but its name is `{{canonical}}`. GitHub accepts any case in URLs, but the sub claim carries the canonical case and `{{operator}}` compares case-sensitively, so this value never matches.",
        fix: "Write `{{suggestion}}`.",
      },
      missingOnline: {
        message: "`{{value}}` names `{{repository}}`, which GitHub reports as not found",
        explanation:
          "`{{value}}`{{note}} names `{{repository}}`, which the GitHub API reports as not found (404): deleted, misspelt, or private to a token without access. No workflow of yours can use this condition, and if someone creates that name, theirs get this role.",
        fix: "Correct the name (set GITHUB_TOKEN if the repository is private).",
      },
      renamedOnline: {
        message: "`{{value}}` names `{{repository}}`, which moved to `{{canonical}}`",
        explanation:
          "`{{value}}`{{note}} names `{{repository}}`, which GitHub reports as moved to `{{canonical}}` (301). Tokens of the renamed repository carry the new name, so this value no longer matches them — and the old name is free for anyone to take.",
        fix: "Write `{{suggestion}}`.",
      },
    },
  },
  check(ctx) {
    const statuses = ctx.project.repoStatuses;
    const inventory = ctx.settings.repositories;
    if (statuses) reportOnline(ctx, statuses);
    if (inventory === undefined) return;
    const known = new Set(inventory);
    const byLower = new Map<string, string>();
    for (const r of inventory) if (!byLower.has(r.toLowerCase())) byLower.set(r.toLowerCase(), r);
    for (const v of githubSubValues(ctx.project.policies, ctx.settings)) {
      const { owner, repo, text } = v.analysis;
      // Only exact names: wildcards and unknown parts in owner or repository say nothing about one repository.
      if (!v.analysis.canMatch || owner === undefined || repo === undefined) continue;
      const repository = `${owner}/${repo}`;
      if (known.has(repository)) continue;
      const base = {
        value: text,
        note: valueNote(v.value),
        repository,
        operator: v.condition.condition.operator.value,
      };
      const canonical = byLower.get(repository.toLowerCase());
      if (canonical !== undefined) {
        if (v.mode === "equalsIgnoreCase") continue;
        ctx.report({
          messageId: "caseMismatch",
          at: v.value,
          data: { ...base, canonical, suggestion: renamed(text, owner, repo, canonical) },
        });
        continue;
      }
      const hint = staleHint(v, repository, inventory, ctx.settings.repository, ctx.settings.subClaimTemplate);
      ctx.report({ messageId: "notInInventory", at: v.value, data: { ...base, count: inventory.length, hint } });
    }
  },
});

export default rule;

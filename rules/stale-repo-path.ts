import { defineRule } from "../src/engine/rule.js";
import { githubSubValues, valueNote } from "../src/analysis/sub-pattern.js";
import { editDistance } from "../src/analysis/edit-distance.js";

/** The inventory entry closest to a name, when it is close enough to be a typo or a rename. */
function closestName(name: string, inventory: readonly string[]): string | undefined {
  const target = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of inventory) {
    const d = editDistance(target, known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(target.length / 4)) ? best : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The value with `OWNER/REPO` (either form, ids kept) replaced by another name. */
function renamed(text: string, owner: string, repo: string, to: string): string {
  const [toOwner = owner, toRepo = repo] = to.split("/");
  const re = new RegExp(`(^|:)(repo|repository):${escapeRegExp(owner)}(@[^/:]*)?/${escapeRegExp(repo)}(?=@|:|$)`);
  return text.replace(re, (_m, start: string, key: string, ownerId: string | undefined) => `${start}${key}:${toOwner}${ownerId ?? ""}/${toRepo}`);
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
    else if (status?.kind === "renamed" || (status?.kind === "ok" && status.fullName !== repository && v.mode !== "equalsIgnoreCase")) {
      const canonical = status.fullName;
      const messageId = status.kind === "renamed" ? "renamedOnline" : "caseMismatch";
      ctx.report({ messageId, at: v.value, data: { ...base, canonical, suggestion: renamed(text, owner, repo, canonical) } });
    }
  }
}

const rule = defineRule({
  meta: {
    id: "stale-repo-path",
    severity: "error",
    description: "Sub condition names a repository that is not in the configured inventory",
    inputs: ["policy"],
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
      const base = { value: text, note: valueNote(v.value), repository, operator: v.condition.condition.operator.value };
      const canonical = byLower.get(repository.toLowerCase());
      if (canonical !== undefined) {
        if (v.mode === "equalsIgnoreCase") continue;
        ctx.report({ messageId: "caseMismatch", at: v.value, data: { ...base, canonical, suggestion: renamed(text, owner, repo, canonical) } });
        continue;
      }
      const closest = closestName(repository, inventory);
      const hint = closest
        ? `Did you mean \`${closest}\`? Write \`${renamed(text, owner, repo, closest)}\`.`
        : "Correct the name, or add it to the inventory if the repository is new.";
      ctx.report({ messageId: "notInInventory", at: v.value, data: { ...base, count: inventory.length, hint } });
    }
  },
});

export default rule;

import { defineRule, type RelatedLocation } from "../src/engine/rule.js";
import type { SourceLocation } from "../src/model/location.js";
import { describeCombination, matrixKeysRead } from "../src/analysis/workflow-values.js";
import type { ResolvedSettings } from "../src/config/settings.js";
import { jobSituations, renderSub, type JobSituation } from "../src/analysis/predicted-claims.js";
import { allowedPatterns, filterListAdmits, findRefusedClaim, holeAdmits } from "../src/analysis/iam-evaluation.js";
import {
  definesRoles,
  jobRoleAssumptions,
  resolveRole,
  type ResolvedRole,
  type RoleAssumption,
} from "../src/analysis/role-assumptions.js";
import { displayText, knownText } from "../src/model/value.js";
import { refusedRepository } from "../src/analysis/refused-repository.js";

/**
 * Cross-file: a workflow job assumes a role that the linted files define, and a sub claim the job can
 * receive is accepted by none of the role's Allow statements. Claims come from `src/model/claims.ts`,
 * decisions from the shared IAM matcher; the audience is `audience-drift`'s (left out here).
 */

/**
 * The claim to add on the policy side: exactly what the trigger sends. A trigger whose branches or tags
 * one filter pattern describes gets that pattern (`release/**` → `…:ref:refs/heads/release/*`); an open
 * set (no filter, `workflow_dispatch`) gets the refused example only — never `ref:refs/heads/*`.
 */
function policyClaim(s: JobSituation, repo: string, example: string | undefined): string {
  const prefix = `repo:${repo}:`;
  if (s.kind === "environment" || !s.holes) return renderSub(s);
  if (s.kind === "pull_request") return `${prefix}pull_request`;
  const refs = s.kind === "tag" ? "refs/tags/" : "refs/heads/";
  const positive = s.holes.include?.filter((p) => !p.startsWith("!")) ?? [];
  // The filter pattern that admits the refused example is the one to allow.
  const include = example === undefined ? positive : positive.filter((p) => filterListAdmits([p], example));
  if (include.length === 1) {
    // GitHub glob → IAM StringLike: `**`/`*` become `*`; `?`, `+` and classes are widened to `*`.
    let p = (include[0] ?? "*")
      .replace(/\*\*?/g, "*")
      .replace(/\[[^\]]*\][?+]?|.[?+]/g, "*")
      .replace(/\*+/g, "*");
    // A merge queue branch `gh-readonly-queue/BASE/pr-N-SHA`: allow the queue of that base.
    if (s.event === "merge_group") p = p.replace(/\/pr-\*$/, "/*");
    if (p !== "*") return `${prefix}ref:${refs}${p}`;
  }
  return renderSub(s, example);
}

/**
 * The role's accepted branches (`heads`) or tags as a workflow filter list (for a merge queue, the base
 * branches of the queues it accepts): IAM's `*` (any text, `/` included) is GitHub's `**`; a pattern with `?` (one character in IAM, "optional" in a filter) or one
 * that is not about this kind of ref is left out. Undefined when nothing is left.
 */
function acceptedFilter(allowed: readonly string[], kind: "heads" | "tags", mergeQueue: boolean): string | undefined {
  // A `merge_group` filter names the queue's base branch: `…:ref:refs/heads/gh-readonly-queue/main/*` → `main`.
  const names = (
    mergeQueue
      ? refNames(allowed, /:ref:refs\/heads\/gh-readonly-queue\/([^?*/]+)\//)
      : refNames(allowed, REF_NAME[kind])
  )
    .filter((n) => n !== "*")
    .map((n) => (n.includes("*") ? `"${n.replace(/\*+/g, "**")}"` : n));
  return names.length > 0 ? [...new Set(names)].join(", ") : undefined;
}

/** The branch or tag an accepted sub value names, a pattern (`*`) included; never with a `?`. */
const REF_NAME = { heads: /:ref:refs\/heads\/([^?]+)$/, tags: /:ref:refs\/tags\/([^?]+)$/ };

/** What `ref` captures in each accepted sub value that it matches. */
function refNames(allowed: readonly string[], ref: RegExp): string[] {
  return allowed.map((p) => ref.exec(p)?.[1]).filter((n): n is string => n !== undefined);
}

/** Events whose refs the workflow narrows with a filter (`branches`, `tags`). */
const FILTERED_EVENTS = new Set(["push", "merge_group"]);

interface FixContext {
  s: JobSituation;
  repo: string;
  example: string | undefined;
  allowed: readonly string[];
  defaultBranch: string;
  /** The repository comes from the configuration or git (not the `OWNER/REPO` placeholder). */
  repoKnown: boolean;
  /** `environment: dev` when the refused run is one matrix combination. */
  matrix?: string;
}

/** The workflow-side fix first (pin the trigger, an `if:`, the environment the role trusts), then the exact claim. */
function fixText(f: FixContext): string {
  const { s, repo, example, allowed, defaultBranch } = f;
  const claim = policyClaim(s, repo, example);
  const add = `add exactly \`${claim}\` to the role's \`…:sub\` condition${claim.includes("*") ? " (as `StringLike`)" : ""}`;
  // The environment the role names, if any: with one, a job's sub is `…:environment:NAME` on every trigger.
  const roleEnv = allowed.map((p) => /:environment:([^:*?]+)$/.exec(p)?.[1]).find((e) => e !== undefined);
  const env = roleEnv === undefined ? undefined : decodeURIComponent(roleEnv);
  // A role that trusts other repositories only: another role, or the new name after a rename — never a grant.
  const other = f.repoKnown ? refusedRepository(`repo:${repo}:`, allowed) : undefined;
  if (other) {
    const names = other.trusted.map((r) => `\`${r}\``).join(", ");
    return `assume a role made for \`${repo}\` if this one belongs to ${names}; if this repository was renamed from ${names}, write its new name in the role's \`…:sub\` condition`;
  }
  if (f.matrix !== undefined)
    return `leave \`${f.matrix}\` out of the matrix if this role is not meant for it; or, if it is, ${add}`;
  if (s.kind === "environment") {
    if (env !== undefined) return `give the job the environment the role trusts (\`environment: ${env}\`), or ${add}`;
    return `drop the job's \`environment:\` if the role is meant for ref-based runs (a job with an environment always gets \`…:environment:NAME\`), or ${add}`;
  }
  const envOnly = allowed.length > 0 && allowed.every((p) => p.includes(":environment:"));
  if (env !== undefined && envOnly)
    return `give the job the environment the role trusts (\`environment: ${env}\`: its sub is then \`repo:${repo}:environment:${roleEnv ?? env}\` on every trigger), or ${add}`;
  if (s.kind === "pull_request")
    return `do not assume this role in \`pull_request\` runs (\`if: github.event_name != 'pull_request'\` on the job or the step), or, if pull requests may use it, ${add}`;
  if (s.event === "workflow_dispatch")
    return `state that the job runs only from \`${defaultBranch}\` (job \`if: github.ref == 'refs/heads/${defaultBranch}'\`) or give it an environment the role trusts; if another branch is meant to deploy, add exactly its claim (e.g. \`${claim}\`)`;
  if (FILTERED_EVENTS.has(s.event)) {
    const filter = s.kind === "tag" ? "tags" : "branches";
    const open = s.holes !== undefined && s.holes.include === undefined;
    const kind = s.kind === "tag" ? "tags" : "heads";
    const accepted = acceptedFilter(allowed, kind, s.event === "merge_group");
    // A role for tags only refuses every branch run, and the other way round: the step's `if:` says so.
    const other = kind === "tags" ? "heads" : "tags";
    if (accepted === undefined && allowed.some((p) => p.includes(`:ref:refs/${other}/`)))
      return `assume this role only in ${other === "tags" ? "tag" : "branch"} runs (\`if: startsWith(github.ref, 'refs/${other}/')\` on the step), or ${add}`;
    if (open) {
      const example = accepted ?? (s.kind === "tag" ? "v*" : defaultBranch);
      return `pin the trigger with a \`${filter}:\` filter the role accepts (e.g. \`${filter}: [${example}]\`), or ${add}`;
    }
    return accepted === undefined
      ? `narrow the trigger's \`${filter}\` filter to the refs the role accepts, or ${add}`
      : `narrow the trigger's \`${filter}\` filter to the refs the role accepts (\`${filter}: [${accepted}]\`), or ${add}`;
  }
  return `restrict the job with \`if: github.event_name != '${s.event}'\`, or ${add}`;
}

export default defineRule({
  meta: {
    id: "trust-mismatch",
    severity: "error",
    description: "Workflow job would be refused by the trust policy of the role it assumes (AccessDenied predicted)",
    inputs: ["workflow", "policy"],
    fixable: false,
    messages: {
      manualRun: {
        message: "Manual runs of job `{{job}}`{{matrix}} from a branch other than `{{defaultBranch}}` are refused",
        explanation:
          "`workflow_dispatch` runs on the branch picked when the run starts; {{role}} accepts only {{allowed}}, so a manual run from another branch (e.g. `{{sub}}`) fails with AccessDenied.",
        fix: "{{fix}}.",
      },
      refused: {
        message: "Role refuses job `{{job}}`'s sub `{{sub}}`{{matrix}}",
        explanation:
          "AccessDenied predicted: job `{{job}}`{{matrix}} assumes {{role}} on {{trigger}}, where GitHub sends the sub `{{sub}}`{{example}}; the role's trust policy accepts no such sub (allowed: {{allowed}}), so `sts:AssumeRoleWithWebIdentity` fails.",
        fix: "{{fix}}.",
      },
    },
  },
  checkWorkflowFile(ctx) {
    const { project, index, settings } = ctx;
    const repo = settings.repository ?? "OWNER/REPO";
    // Nothing to predict without a role defined in the linted files.
    if (!definesRoles(index)) return;
    for (const wf of project.workflows) {
      for (const job of wf.jobs) {
        const uses = jobRoleAssumptions(index, settings, wf, job);
        if (uses.length === 0) continue;
        // One finding per place and trigger: matrix combinations refused there are named together.
        const pending = new Map<string, Pending>();
        // Name the matrix keys the environment reads, else the ones whose values differ.
        const envKeys = matrixKeysRead(job.environment);
        const varying = envKeys.length > 0 ? envKeys : varyingKeys(uses);
        for (const use of uses) {
          const roles: ResolvedRole[] = resolveRole(use.role, index);
          if (roles.length === 0) continue;
          // The step runs only where both the job's and the step's `if:` let it.
          const situations = jobSituations(wf, use.job, settings, use.step).filter((s) => s.kind !== "unknown");
          const reportedSubs = new Set<string>();
          const combination = use.matrix ? describeCombination(use.matrix, varying) : undefined;
          for (const s of situations) {
            const key = `${use.loc.line}:${use.loc.column}|${s.trigger.event.loc.line}:${s.trigger.event.loc.column}`;
            const seen = pending.get(key);
            if (seen && (combination === undefined || seen.combinations.includes(combination))) continue;
            // Every candidate role must refuse (two roles of one name in different stacks: be certain).
            const verdicts = roles.map((r) => findRefusedClaim(r.docs, s.claims, settings, s.holes, ["aud"]));
            if (!verdicts.every((v) => v.verdict === "refused")) continue;
            if (seen && combination !== undefined) {
              seen.combinations.push(combination);
              continue;
            }
            const first = verdicts[0];
            const example = first?.verdict === "refused" ? first.example : undefined;
            const sub = renderSub(s, example);
            // A job with an environment gets the same sub on every trigger: one finding says it.
            if (s.kind === "environment" && reportedSubs.has(sub)) continue;
            reportedSubs.add(sub);
            const allowedValues = roles.flatMap((r) => allowedPatterns(r.docs, settings));
            const patterns = allowedValues.map((v) => `\`${displayText(v)}\``);
            const role = roles[0];
            const allowedTexts = allowedValues.map((v) => knownText(v)).filter((t): t is string => t !== undefined);
            // A manual run picks its branch: when the default branch is accepted, only other branches fail.
            const manualBranch =
              s.event === "workflow_dispatch" && s.holes !== undefined
                ? acceptedManualBranch(roles, s, settings, allowedTexts)
                : undefined;
            const manual = manualBranch !== undefined;
            pending.set(key, {
              manual,
              loc: use.loc,
              combinations: combination === undefined ? [] : [combination],
              data: {
                job: job.id.value,
                role: `\`${displayText(use.role)}\`${use.role.origin ? ` (from ${use.role.origin})` : ""}${role ? ` (${role.label})` : ""}`,
                trigger: `\`${s.event}\`${s.description ? ` (${s.description})` : ""}`,
                sub,
                example:
                  example !== undefined && s.holes && (s.kind === "branch" || s.kind === "tag")
                    ? ` (e.g. for ${s.kind === "tag" ? "tag" : "branch"} \`${example}\`)`
                    : "",
                allowed: patterns.length > 0 ? [...new Set(patterns)].join(", ") : "no sub condition",
                defaultBranch: manualBranch ?? settings.defaultBranch,
              },
              fix: {
                s,
                repo,
                example,
                allowed: allowedTexts,
                defaultBranch: manualBranch ?? settings.defaultBranch,
                repoKnown: settings.repository !== undefined,
              },
              // Point code scanning at the sub condition that refuses (else the role's trust policy).
              ...(role
                ? {
                    related: [
                      allowedValues[0]
                        ? { message: "the sub the role's trust policy accepts", loc: allowedValues[0].loc }
                        : { message: "the role's trust policy", loc: role.docs[0]?.loc ?? role.loc },
                    ],
                  }
                : {}),
            });
          }
        }
        for (const p of pending.values()) {
          const matrix =
            p.combinations.length > 0 ? ` (matrix ${p.combinations.map((c) => `\`${c}\``).join(", ")})` : "";
          const fix = fixText(p.combinations.length === 1 ? { ...p.fix, matrix: p.combinations[0] ?? "" } : p.fix);
          ctx.report({
            messageId: p.manual ? "manualRun" : "refused",
            at: p.loc,
            ...(p.manual ? { severity: "warn" as const } : {}),
            data: { ...p.data, matrix, fix },
            ...(p.related ? { related: p.related } : {}),
          });
        }
      }
    }
  },
});

interface Pending {
  manual: boolean;
  loc: SourceLocation;
  combinations: string[];
  data: Record<string, string>;
  fix: FixContext;
  related?: RelatedLocation[];
}

/** The matrix keys whose values differ between the assumptions (the ones worth naming). */
function varyingKeys(uses: readonly RoleAssumption[]): string[] {
  const values = new Map<string, Set<string>>();
  for (const u of uses)
    for (const [k, v] of u.matrix ?? []) values.set(k, (values.get(k) ?? new Set()).add(displayText(v)));
  return [...values]
    .filter(([, set]) => set.size > 1)
    .map(([k]) => k)
    .slice(0, 3);
}

/**
 * The branch a manual run is expected from, when every candidate role accepts a run from it: the default branch. When
 * its name is only assumed (`defaultBranchAssumed`), a branch the roles' sub values name literally
 * (`…:ref:refs/heads/master`) may be it as well: the first of them the roles accept (else none, as for a default
 * branch they refuse).
 */
function acceptedManualBranch(
  roles: readonly ResolvedRole[],
  s: JobSituation,
  settings: ResolvedSettings,
  allowed: readonly string[],
): string | undefined {
  const named = settings.defaultBranchAssumed === true ? refNames(allowed, REF_NAME.heads) : [];
  const candidates = [settings.defaultBranch, ...named.filter((n) => !n.includes("*"))];
  return candidates.find((branch) => branchAccepted(roles, s, settings, branch));
}

/** Whether every candidate role accepts a run on `branch` in this (branch) situation. */
function branchAccepted(
  roles: readonly ResolvedRole[],
  s: JobSituation,
  settings: ResolvedSettings,
  branch: string,
): boolean {
  // A run from the branch must be possible at all (the job's `if:` may exclude it).
  if (!s.holes || !holeAdmits(s.holes, branch)) return false;
  const holes = { ...s.holes, include: [branch], samples: [] };
  return roles.every((r) => findRefusedClaim(r.docs, s.claims, settings, holes, ["aud"]).verdict === "accepted");
}

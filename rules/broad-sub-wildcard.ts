import type { ResolvedSettings } from "../src/config/settings.js";
import { defineRule } from "../src/engine/rule.js";
import { githubConditions, type GitHubCondition } from "../src/model/github-trust.js";
import type { Statement } from "../src/model/policy.js";
import { exampleSub, githubSubValues, valueNote, type SubConditionValue } from "../src/model/sub-claim.js";
import { knownText } from "../src/model/value.js";

interface Options {
  allowOrgWide: boolean;
  allowAnyRef: boolean;
}

/** Whether every value of a positive condition is known and free of wildcards in the part `literal` picks. */
function pinsLiterally(c: GitHubCondition, literal: (text: string) => string): boolean {
  if (c.operator.negated || c.condition.values.unknown || c.condition.values.items.length === 0) return false;
  return c.condition.values.items.every((v) => {
    const text = knownText(v);
    if (text === undefined || text === "") return false;
    return c.operator.match !== "like" || !/[*?]/.test(literal(text));
  });
}

const ownerPart = (text: string): string => text.split("/")[0] ?? text;
const repositoryPart = (text: string): string => text.split("/").slice(0, 2).join("/");

/**
 * What other conditions of the statement already pin. IAM ANDs conditions: a wide sub next to a
 * `repository` condition is only as wide as that condition. A `job_workflow_ref` condition pins the
 * workflow that runs (the reusable-workflow pattern); callers are then up to that workflow's visibility.
 */
function pinnedElsewhere(stmt: Statement, settings: ResolvedSettings): { owner: boolean; repository: boolean; context: boolean } {
  const out = { owner: false, repository: false, context: false };
  for (const c of githubConditions(stmt, settings)) {
    switch (c.claim) {
      case "repository":
        if (pinsLiterally(c, repositoryPart)) out.owner = out.repository = true;
        else if (pinsLiterally(c, ownerPart)) out.owner = true;
        break;
      case "repository_id":
        if (pinsLiterally(c, (t) => t)) out.owner = out.repository = true;
        break;
      case "job_workflow_ref":
        if (pinsLiterally(c, ownerPart)) out.owner = out.repository = out.context = true;
        break;
      case "ref":
      case "environment":
        if (pinsLiterally(c, (t) => t)) out.context = true;
        break;
    }
  }
  return out;
}

/** IAM's create-time check, predicted for one `*`-class value (see the doc page). */
function iamNote(v: SubConditionValue, settings: ResolvedSettings): string {
  const text = v.analysis.text;
  if (text === "*") {
    const scoping = githubConditions(v.stmt, settings).filter((c) => (c.claim === "sub" || c.claim === "job_workflow_ref") && !c.operator.negated);
    const allFirstStar = scoping.every((c) => {
      const first = c.condition.values.items[0];
      return first !== undefined && knownText(first) === "*";
    });
    if (v.index === 0 && allFirstStar) {
      return " IAM refuses to create or update a role with this trust policy (MalformedPolicyDocument: not scoped to all), so this role predates that check or will not deploy.";
    }
    if (v.index > 0) return " IAM's create-time check reads only the first value of a list, so it lets this `*` through.";
    return "";
  }
  if (text.startsWith("repo:*")) return " IAM's create-time check still accepts `repo:*`, so nothing else stops it.";
  return "";
}

function anyOwnerReason(v: SubConditionValue): string {
  if (v.analysis.text === "*") return "`*` matches every sub claim";
  if (v.analysis.wildcardParts.has("key")) return "its leading wildcard also covers `repo:` and the owner name";
  if (v.analysis.wildcardParts.has("ownerIdOnly")) return "the owner id is a wildcard";
  return "the owner name is not pinned, and a wildcard there matches the names of other owners too";
}

/** `repo:acme/app:*` → `repo:acme/app:ref:refs/heads/main`, keeping the value's own repository form. */
function pinnedContext(v: SubConditionValue, template: readonly string[], branch: string, repository: string | undefined): string {
  const text = v.analysis.text;
  if (template.length === 2 && template[1] === "context" && text.endsWith(":*")) return `${text.slice(0, -1)}ref:refs/heads/${branch}`;
  return exampleSub(template, repository ?? "OWNER/REPO", branch);
}

export default defineRule<"anyOwner" | "ownerWide" | "anyContext", Options>({
  meta: {
    id: "broad-sub-wildcard",
    severity: "error",
    description: "Sub pattern admits repositories (or refs) it should not",
    inputs: ["policy"],
    messages: {
      anyOwner:
        "`{{value}}`{{note}} under `{{operator}}` matches repositories of any owner: {{reason}}. Anyone can create a repository on GitHub whose workflows then assume this role.{{iam}} Pin owner and repository, e.g. `{{suggestion}}`.",
      ownerWide:
        "`{{value}}`{{note}} under `{{operator}}` matches more than one repository of {{owner}}: the wildcard covers the repository name, so a workflow in any matching repository, including ones created later, can assume this role. Name the repository, e.g. `{{suggestion}}`, or set the option `allowOrgWide` if this role is meant for the whole organisation.",
      anyContext:
        "`{{value}}`{{note}} under `{{operator}}` matches every branch, tag, environment and pull request of `{{repository}}`: a workflow run from any branch (including unreviewed ones) or pull request can assume this role, outside any environment's protection rules. Pin the context, e.g. `{{suggestion}}` or `…:environment:production`, or set the option `allowAnyRef`.",
    },
    schema: {
      type: "object",
      additionalProperties: false,
      properties: {
        allowOrgWide: { type: "boolean", description: "Do not report patterns that admit every repository of one owner (`repo:acme/*`)." },
        allowAnyRef: { type: "boolean", description: "Do not report patterns that admit every ref and event of one repository (`repo:acme/app:*`)." },
      },
    },
  },
  defaultOptions: { allowOrgWide: false, allowAnyRef: false },
  check(ctx) {
    const { settings, options } = ctx;
    const template = settings.subClaimTemplate;
    const branch = settings.defaultBranch;
    for (const v of githubSubValues(ctx.project.policies, settings)) {
      // Only StringLike-family patterns have wildcards; under StringEquals they are literal characters
      // (invalid-sub-pattern). Negated operators exclude what they match.
      if (v.mode !== "like" || v.condition.operator.negated) continue;
      const breadth = v.analysis.breadth;
      if (breadth === undefined || breadth === "scoped") continue;
      const pinned = pinnedElsewhere(v.stmt, settings);
      const base = { value: v.analysis.text, note: valueNote(v.value), operator: v.condition.condition.operator.value };
      const owner = v.analysis.owner;
      const repository = owner !== undefined && v.analysis.repo !== undefined ? `${owner}/${v.analysis.repo}` : undefined;
      if (breadth === "anyOwner") {
        if (pinned.owner) continue;
        ctx.report({
          messageId: "anyOwner",
          at: v.value,
          data: { ...base, reason: anyOwnerReason(v), iam: iamNote(v, settings), suggestion: exampleSub(template, settings.repository ?? "OWNER/REPO", branch) },
        });
      } else if (breadth === "ownerWide") {
        if (options.allowOrgWide || pinned.repository) continue;
        const known = settings.repository !== undefined && owner !== undefined && settings.repository.toLowerCase().startsWith(`${owner.toLowerCase()}/`);
        ctx.report({
          messageId: "ownerWide",
          at: v.value,
          severity: "warn",
          data: {
            ...base,
            owner: owner !== undefined ? `\`${owner}\`` : "its owner",
            suggestion: exampleSub(template, known ? (settings.repository ?? "") : `${owner ?? "OWNER"}/REPO`, branch),
          },
        });
      } else {
        if (options.allowAnyRef || pinned.context) continue;
        ctx.report({
          messageId: "anyContext",
          at: v.value,
          severity: "warn",
          data: { ...base, repository: repository ?? "the repository", suggestion: pinnedContext(v, template, branch, repository) },
        });
      }
    }
  },
});

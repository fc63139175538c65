import type { ResolvedSettings } from "../src/config/settings.js";
import { defineRule } from "../src/engine/rule.js";
import {
  failsIamCreateCheck,
  githubConditions,
  githubTrustStatements,
  isUnresolvedKey,
  parseOperator,
  type GitHubCondition,
} from "../src/analysis/github-trust.js";
import type { Statement } from "../src/model/policy.js";
import {
  analyseJobWorkflowRef,
  analyseSub,
  contextBreadth,
  exampleJobWorkflowRef,
  exampleSub,
  matchModeOf,
  valueNote,
  type Breadth,
  type MatchMode,
  type Part,
} from "../src/analysis/sub-pattern.js";
import { displayText, isUnknownPart, type StrValue } from "../src/model/value.js";

interface Options {
  allowOrgWide: boolean;
  allowAnyRef: boolean;
}

/** What a condition pins, whatever else holds: the owner, the one repository, the ref or event. */
interface Pins {
  owner: boolean;
  repository: boolean;
  context: boolean;
  /** For messages: the condition that pins the owner only, e.g. "`…:repository` `acme/*`". */
  ownerOnlyBy?: string;
  ownerName?: string;
}

const NONE: Pins = { owner: false, repository: false, context: false };
const ALL: Pins = { owner: true, repository: true, context: true };

function pinsOfBreadth(breadth: Breadth): Pins {
  switch (breadth) {
    case "scoped":
      return ALL;
    case "anyContext":
      return { owner: true, repository: true, context: false };
    case "ownerWide":
      return { owner: true, repository: false, context: false };
    case "anyOwner":
      return NONE;
  }
}

/** The text of a value with each unknown part as one literal placeholder character (a value of the part it sits in). */
function shapeText(v: StrValue): { text: string; unknown: boolean } {
  let text = "";
  let unknown = false;
  for (const p of v.parts) {
    if (isUnknownPart(p)) {
      text += "\u0000";
      unknown = true;
    } else text += p;
  }
  return { text, unknown };
}

/**
 * What one value of a positive condition pins. A value that never matches pins nothing (it adds nothing
 * to the condition's OR); a value whose unknown parts hide its structure might pin anything, and is
 * counted as pinning so that only what is certain is reported.
 */
function valuePins(c: GitHubCondition, v: StrValue, mode: MatchMode, template: readonly string[]): Pins {
  const { text, unknown } = shapeText(v);
  const wildcard = (s: string): boolean => /[*?]/.test(s);
  const literalWildcard = mode !== "like" && wildcard(text);
  switch (c.claim) {
    case "sub": {
      const a = analyseSub(v, mode, template);
      if (!a.canMatch) return NONE;
      if (a.breadth === undefined) return unknown ? ALL : NONE;
      return pinsOfBreadth(a.breadth);
    }
    case "job_workflow_ref": {
      if (literalWildcard) return NONE;
      const a = analyseJobWorkflowRef(v, mode);
      if (a.breadth === undefined) return unknown ? ALL : NONE;
      return pinsOfBreadth(a.breadth);
    }
    case "repository": {
      if (literalWildcard) return NONE;
      const slash = text.indexOf("/");
      if (slash < 0) return unknown ? ALL : NONE;
      if (mode !== "like" || !wildcard(text)) return { owner: true, repository: true, context: false };
      const owner = text.slice(0, slash);
      return wildcard(owner)
        ? NONE
        : {
            owner: true,
            repository: false,
            context: false,
            ownerOnlyBy: `\`${displayText(c.condition.key)}\` \`${displayText(v)}\``,
            ...(unknown ? {} : { ownerName: owner }),
          };
    }
    case "repository_id":
      return literalWildcard || (mode === "like" && wildcard(text))
        ? NONE
        : { owner: true, repository: true, context: false };
    case "ref":
    case "environment":
      return literalWildcard || (mode === "like" && wildcard(text))
        ? NONE
        : { owner: false, repository: false, context: true };
    default:
      return NONE;
  }
}

/**
 * What a condition pins: only a positive string comparison that holds only when the claim is there and
 * matches (not `…IfExists`, not `ForAllValues:`), and only what every one of its values pins (they OR).
 * A list that could not be resolved might pin anything.
 */
function conditionPins(c: GitHubCondition, template: readonly string[]): Pins {
  const mode = matchModeOf(c);
  if (mode === undefined || c.operator.negated || c.operator.ifExists || c.operator.set === "ForAllValues") return NONE;
  const items = c.condition.values.items;
  if (c.condition.values.unknown) return ALL;
  if (items.length === 0) return NONE;
  const all = items.map((v) => valuePins(c, v, mode, template));
  const out: Pins = {
    owner: all.every((p) => p.owner),
    repository: all.every((p) => p.repository),
    context: all.every((p) => p.context),
  };
  const byOwnerOnly = all.find((p) => p.ownerOnlyBy !== undefined);
  if (out.owner && !out.repository && byOwnerOnly?.ownerOnlyBy !== undefined) {
    out.ownerOnlyBy = byOwnerOnly.ownerOnlyBy;
    const names = new Set(all.map((p) => p.ownerName));
    const [name] = names;
    if (names.size === 1 && name !== undefined) out.ownerName = name;
  }
  return out;
}

/**
 * What the statement's other conditions pin. IAM ANDs conditions: a wide value is only as wide as the
 * narrowest condition next to it (an exact sub, a `repository` or `job_workflow_ref` condition). A
 * `job_workflow_ref` pinning the repository pins the workflow that runs (the reusable-workflow pattern);
 * callers are then up to that workflow's visibility.
 */
function pinnedElsewhere(stmt: Statement, own: GitHubCondition, settings: ResolvedSettings): Pins {
  // An unresolved `Condition` block, or a positive condition whose key is not fully known, may be a
  // `repository` or exact `sub` condition: nothing is certain.
  if (stmt.unknownConditions) return ALL;
  for (const c of stmt.conditions) {
    const op = parseOperator(c.operator.value);
    if (isUnresolvedKey(c.key) && op.match !== "other" && !op.negated && !op.ifExists && op.set !== "ForAllValues")
      return ALL;
  }
  const out: Pins = { ...NONE };
  for (const c of githubConditions(stmt, settings)) {
    if (c.condition === own.condition) continue;
    const p = conditionPins(c, settings.subClaimTemplate);
    out.repository ||= p.repository;
    out.context ||= p.context;
    if (p.owner && !out.owner) {
      out.owner = true;
      if (p.ownerOnlyBy !== undefined) out.ownerOnlyBy = p.ownerOnlyBy;
      if (p.ownerName !== undefined) out.ownerName = p.ownerName;
    }
  }
  return out;
}

/** One value of a `StringLike`-family condition on `sub` or `job_workflow_ref`, analysed. */
interface ScopeValue {
  stmt: Statement;
  condition: GitHubCondition;
  value: StrValue;
  index: number;
  claim: "sub" | "job_workflow_ref";
  text: string;
  breadth?: Breadth;
  wildcardParts: ReadonlySet<Part>;
  owner?: string;
  repo?: string;
}

/** The values of `StringLike`-family conditions on `sub` and `job_workflow_ref` in statements trusting GitHub. */
function scopeValues(policies: Parameters<typeof githubTrustStatements>[0], settings: ResolvedSettings): ScopeValue[] {
  const out: ScopeValue[] = [];
  for (const { stmt } of githubTrustStatements(policies, settings)) {
    for (const condition of githubConditions(stmt, settings)) {
      if (condition.claim !== "sub" && condition.claim !== "job_workflow_ref") continue;
      // Only StringLike-family patterns have wildcards; under StringEquals they are literal characters
      // (invalid-sub-pattern). Negated operators exclude what they match.
      if (matchModeOf(condition) !== "like" || condition.operator.negated) continue;
      const items = condition.condition.values.items;
      for (let index = 0; index < items.length; index++) {
        const value = items[index] as StrValue;
        const a =
          condition.claim === "sub"
            ? analyseSub(value, "like", settings.subClaimTemplate)
            : { ...analyseJobWorkflowRef(value, "like"), wildcardParts: NO_PARTS, repo: undefined };
        const v: ScopeValue = {
          stmt,
          condition,
          value,
          index,
          claim: condition.claim,
          text: a.text,
          wildcardParts: a.wildcardParts,
        };
        if (a.breadth) v.breadth = a.breadth;
        if (a.owner !== undefined) v.owner = a.owner;
        if (a.repo !== undefined) v.repo = a.repo;
        out.push(v);
      }
    }
  }
  return out;
}

const NO_PARTS: ReadonlySet<Part> = new Set();

/** IAM's create-time check, predicted for one value (see the doc page). */
function iamNote(v: ScopeValue, settings: ResolvedSettings): string {
  if (v.text === "*") {
    if (v.index === 0 && failsIamCreateCheck(v.stmt, settings)) {
      return " IAM refuses to create or update a role with this trust policy (MalformedPolicyDocument: not scoped to all), so this role predates that check or will not deploy.";
    }
    if (v.index > 0)
      return " IAM's create-time check reads only the first value of a list, so it lets this `*` through.";
    return "";
  }
  if (v.claim === "sub" && v.text.startsWith("repo:*"))
    return " IAM's create-time check still accepts `repo:*`, so nothing else stops it.";
  return "";
}

/**
 * A wildcard glued to the owner (and repository) name, as in `repo:acme*` + `/app*:…`, mostly meant to admit
 * GitHub's immutable form `acme@ID/app@ID`: the same value with `@*` there pins both names.
 */
const NAME = String.raw`(?:[^:/*?$]|\$\{[^}]*\})+`;
const GLUED_OWNER = new RegExp(String.raw`^(repo:${NAME})\*\/(${NAME})(\*?)(:[^*?]*)$`);

function gluedOwnerFix(v: ScopeValue): string | undefined {
  const m = v.claim === "sub" ? GLUED_OWNER.exec(v.text) : null;
  return m ? `${m[1] ?? ""}@*/${m[2] ?? ""}@*${m[4] ?? ""}` : undefined;
}

function anyOwnerReason(v: ScopeValue): string {
  if (v.text === "*") return `\`*\` matches every ${v.claim} claim`;
  if (gluedOwnerFix(v) !== undefined)
    return "the wildcard glued to the owner name also matches every owner whose name starts the same way";
  if (v.claim === "job_workflow_ref")
    return "the owner in `OWNER/REPO/PATH@REF` is not pinned, and a wildcard there matches the workflows of other owners too";
  if (v.wildcardParts.has("key")) return "its leading wildcard also covers `repo:` and the owner name";
  if (v.wildcardParts.has("ownerIdOnly")) return "the owner id is a wildcard";
  return "the owner name is not pinned, and a wildcard there matches the names of other owners too";
}

/**
 * Whether a value that leaves the context kind open leaves every context open (`repo:acme/app:*`), rather
 * than the ones whose text fits (`repo:acme/app:*pull*`, `…:*main`). Only the default template's last
 * field is read; under another template every such value counts as open.
 */
function openContext(v: ScopeValue, template: readonly string[]): boolean {
  if (template.length !== 2 || template[1] !== "context") return true;
  return /:\*+$/.test(v.text);
}

/** `repo:acme/app:*` → `repo:acme/app:ref:refs/heads/main`, keeping the value's own repository form. */
function pinnedContext(
  v: ScopeValue,
  template: readonly string[],
  branch: string,
  repository: string | undefined,
): string {
  if (template.length === 2 && template[1] === "context" && v.text.endsWith(":*"))
    return `${v.text.slice(0, -1)}ref:refs/heads/${branch}`;
  return exampleSub(template, repository ?? "OWNER/REPO", branch);
}

function example(v: ScopeValue, settings: ResolvedSettings, repository: string): string {
  return v.claim === "sub"
    ? exampleSub(settings.subClaimTemplate, repository, settings.defaultBranch)
    : exampleJobWorkflowRef(repository, settings.defaultBranch);
}

/** `release/*` for `main*`: the pattern of a glued branch prefix with a separator, as an example. */
function gluedExample(segment: string): { name: string; sample: string } {
  const name = segment.replace(/^ref:refs\/heads\//, "").replace(/\*+$/, "");
  return { name, sample: `${name}-hotfix` };
}

export default defineRule<
  | "anyOwner"
  | "ownerWide"
  | "anyContext"
  | "partialContext"
  | "anyBranch"
  | "anyRef"
  | "anyEnvironment"
  | "gluedBranch",
  Options
>({
  meta: {
    id: "broad-sub-wildcard",
    severity: "error",
    description: "Sub (or job_workflow_ref) pattern admits repositories (or refs) it should not",
    inputs: ["policy"],
    fixable: false,
    messages: {
      anyOwner: {
        message: "`{{value}}` under `{{operator}}` matches {{subject}} of any owner",
        explanation:
          "`{{value}}`{{note}} under `{{operator}}` matches {{subject}} of any owner: {{reason}}. Anyone can create a repository on GitHub whose workflows then assume this role.{{iam}}",
        fix: "Pin owner and repository, e.g. `{{suggestion}}`.",
      },
      ownerWide: {
        message: "`{{value}}` matches more than one repository of {{owner}}",
        explanation:
          "`{{value}}`{{note}} under `{{operator}}` matches {{subject}} of more than one repository of {{owner}}{{pinnedBy}}: the wildcard covers the repository name, so a workflow in any matching repository, including ones created later, can assume this role.",
        fix: "Name the repository, e.g. `{{suggestion}}`, or set the option `allowOrgWide` if this role is meant for the whole organisation.",
      },
      anyContext: {
        message: "`{{value}}` matches every branch, tag, environment and pull request of {{repository}}",
        explanation:
          "`{{value}}`{{note}} under `{{operator}}` matches every branch, tag, environment and pull request of {{repository}}: a workflow run from any branch (including unreviewed ones) or pull request can assume this role, outside any environment's protection rules.",
        fix: "Pin the context, e.g. `{{suggestion}}` or `…:environment:production`, or set the option `allowAnyRef`.",
      },
      partialContext: {
        message:
          "`{{value}}`: the wildcard stands for the context kind, so any branch, tag or environment of {{repository}} whose name fits matches too",
        explanation:
          "`{{value}}`{{note}} under `{{operator}}` has a wildcard where the sub names the kind of context (`ref:…`, `environment:…`, `pull_request`): every branch, tag and environment of {{repository}} whose name fits the pattern matches too, and anyone with push access can create such a branch.",
        fix: "Write the context out, e.g. `{{suggestion}}`, `…:environment:production` or `…:pull_request`, or set the option `allowAnyRef`.",
      },
      anyBranch: {
        message: "`{{value}}` admits every branch of {{repository}}, including unreviewed ones",
        explanation:
          "`{{value}}`{{note}} admits every branch of {{repository}}: a workflow run from any branch, including one pushed without review, can assume this role.",
        fix: "Pin a branch or an environment.",
      },
      anyRef: {
        message: "`{{value}}` admits every branch and tag of {{repository}}",
        explanation:
          "`{{value}}`{{note}} admits every branch and tag of {{repository}}: a workflow run from any of them can assume this role.",
        fix: "Pin a branch, tag pattern or environment.",
      },
      anyEnvironment: {
        message: "`{{value}}` admits every environment of {{repository}}, including unprotected ones",
        explanation:
          "`{{value}}`{{note}} admits every environment of {{repository}}: a job in an environment without protection rules can assume this role.",
        fix: "Name the environment.",
      },
      gluedBranch: {
        message: "`{{value}}`: the `*` glued to `{{name}}` also admits branches such as `{{sample}}`",
        explanation:
          "`{{value}}`{{note}}: the `*` glued to `{{name}}` also admits branches such as `{{sample}}`, which anyone with push access can create.",
        fix: "Separate the name and the wildcard with `/` (e.g. `{{name}}/*`), or name the branch.",
      },
    },
    schema: {
      type: "object",
      additionalProperties: false,
      properties: {
        allowOrgWide: {
          type: "boolean",
          description: "Do not report patterns that admit every repository of one owner (`repo:acme/*`).",
        },
        allowAnyRef: {
          type: "boolean",
          description: "Do not report patterns that admit every ref and event of one repository (`repo:acme/app:*`).",
        },
      },
    },
  },
  defaultOptions: { allowOrgWide: false, allowAnyRef: false },
  check(ctx) {
    const { settings, options } = ctx;
    /** A value that pins its repository but leaves every branch, ref or environment open (warnings). */
    function reportContext(v: ScopeValue): void {
      const open = contextBreadth(v.value);
      if (open === undefined) return;
      if (open.kind !== "gluedBranch" && options.allowAnyRef) return;
      if (pinnedElsewhere(v.stmt, v.condition, settings).context) return;
      const repository = v.owner !== undefined && v.repo !== undefined ? `\`${v.owner}/${v.repo}\`` : "the repository";
      const data = {
        value: v.text,
        note: valueNote(v.value),
        repository,
        ...(open.kind === "gluedBranch" ? gluedExample(open.segment) : {}),
      };
      ctx.report({ messageId: open.kind, at: v.value, severity: "warn", data });
    }
    for (const v of scopeValues(ctx.project.policies, settings)) {
      const breadth = v.breadth;
      if (breadth === "scoped" && v.claim === "sub") reportContext(v);
      if (breadth === undefined || breadth === "scoped") continue;
      const pinned = pinnedElsewhere(v.stmt, v.condition, settings);
      const subject = v.claim === "sub" ? "repositories" : "workflows (`job_workflow_ref`) in repositories";
      const base = { value: v.text, note: valueNote(v.value), operator: v.condition.condition.operator.value };
      const repository = v.owner !== undefined && v.repo !== undefined ? `${v.owner}/${v.repo}` : undefined;
      if (breadth === "anyOwner" && !pinned.owner) {
        ctx.report({
          messageId: "anyOwner",
          at: v.value,
          data: {
            ...base,
            subject,
            reason: anyOwnerReason(v),
            iam: iamNote(v, settings),
            suggestion: gluedOwnerFix(v) ?? example(v, settings, settings.repository ?? "OWNER/REPO"),
          },
        });
      } else if (breadth === "anyOwner" || breadth === "ownerWide") {
        // Another condition pinning the owner (only) makes an any-owner value org-wide.
        if (options.allowOrgWide || pinned.repository) continue;
        const owner = v.owner ?? pinned.ownerName;
        const known =
          settings.repository !== undefined &&
          owner !== undefined &&
          settings.repository.toLowerCase().startsWith(`${owner.toLowerCase()}/`);
        ctx.report({
          messageId: "ownerWide",
          at: v.value,
          severity: "warn",
          data: {
            ...base,
            subject: v.claim === "sub" ? "the sub claims" : "the workflows (`job_workflow_ref`)",
            owner: owner !== undefined ? `\`${owner}\`` : "its owner",
            pinnedBy:
              breadth === "anyOwner" && pinned.ownerOnlyBy !== undefined
                ? ` (the owner is pinned only by ${pinned.ownerOnlyBy})`
                : "",
            suggestion: example(v, settings, known ? (settings.repository ?? "") : `${owner ?? "OWNER"}/REPO`),
          },
        });
      } else {
        if (options.allowAnyRef || pinned.context) continue;
        ctx.report({
          messageId: openContext(v, settings.subClaimTemplate) ? "anyContext" : "partialContext",
          at: v.value,
          severity: "warn",
          data: {
            ...base,
            repository: repository !== undefined ? `\`${repository}\`` : "the repository",
            suggestion: pinnedContext(v, settings.subClaimTemplate, settings.defaultBranch, repository),
          },
        });
      }
    }
  },
});

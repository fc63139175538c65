import type { ResolvedSettings } from "../config/settings.js";
import {
  ANY_RUN,
  holeAdmits,
  ID_RUN,
  type HoleSet,
  type Piece,
  type PredictedClaims,
  type PredictedValue,
} from "./iam-evaluation.js";
import { jobCondition, namesUnder, ruleAdmitsRef, type NamesUnder, type RefRule } from "./job-condition.js";
import type { Job, Step, Trigger, Workflow } from "../model/workflow.js";
import { knownText } from "../model/value.js";

/**
 * The claims a job's token can carry, per trigger (GitHub's OIDC reference, "Example subject claims"):
 * - a job with `environment: NAME` gets `…:environment:NAME`, whatever the event;
 * - `pull_request` gets `…:pull_request`;
 * - a push or dispatch on a branch `…:ref:refs/heads/BRANCH`, of a tag `…:ref:refs/tags/TAG`;
 * - events that run on the default branch (`pull_request_target`, `workflow_run`, `issue_comment`,
 *   `schedule`, …) get the default branch's ref.
 * `:` inside a value is encoded `%3A`. A branch or tag set that a filter leaves open becomes a hole
 * (`{ hole: true }`) that `findRefusedClaim` reasons about; what cannot be predicted is unknown.
 */

/** Events whose runs use the default branch's ref (GITHUB_REF is the default branch). */
/** Why a run on the default branch has no predicted claim when its name is only assumed (`defaultBranchAssumed`). */
const DEFAULT_BRANCH_UNKNOWN =
  "it runs on the default branch, whose name oidclint does not know here: set `defaultBranch` in the config (git has no `origin/HEAD`)";

export const DEFAULT_BRANCH_EVENTS = new Set([
  "pull_request_target",
  "workflow_run",
  "issue_comment",
  "schedule",
  "issues",
  "label",
  "milestone",
  "discussion",
  "discussion_comment",
  "repository_dispatch",
  "watch",
  "fork",
  "gollum",
]);

export type SituationKind = "environment" | "pull_request" | "branch" | "tag" | "unknown";

export interface JobSituation {
  /** The trigger this situation comes from. */
  trigger: Trigger;
  event: string;
  kind: SituationKind;
  /** How the job runs, after the event's name, for messages: "to a branch matching `release/**`" (may be empty). */
  description: string;
  claims: PredictedClaims;
  /** The branch or tag names the hole ranges over; undefined when the claims hold no hole. */
  holes?: HoleSet;
  /** Why nothing can be predicted (kind `unknown`). */
  unknownWhy?: string;
  /** The predicted `sub` pieces. */
  sub?: Piece[];
}

const BRANCH_SAMPLES = ["feature/login", "develop", "dev", "fix/typo", "release/1.0", "staging", "main", "master"];
const TAG_SAMPLES = ["v1.0.0", "v1.2.3", "1.0.0", "release-1.0", "latest"];

interface RepoFacts {
  owner?: string;
  name?: string;
  ownerId?: string;
  repoId?: string;
}

function repoFacts(settings: ResolvedSettings): RepoFacts {
  const out: RepoFacts = {};
  const m = settings.repository ? /^([^/]+)\/([^/]+)$/.exec(settings.repository) : null;
  if (m?.[1] && m[2]) {
    out.owner = m[1];
    out.name = m[2];
  }
  if (settings.repositoryOwnerId) out.ownerId = settings.repositoryOwnerId;
  if (settings.repositoryId) out.repoId = settings.repositoryId;
  return out;
}

/**
 * `OWNER/REPO` as the sub's `repo:` value: the name-only form or the immutable form with ids (unknown ids
 * are digit runs). Letter case is left open: a git remote may spell the names in another case than
 * GitHub does.
 */
function repoPieces(r: RepoFacts): Piece[] {
  // Unknown repository: any names, but never a `:` (owner and repository names cannot hold one).
  if (!r.owner || !r.name) return [NAME_RUN];
  const owner: Piece = { anyCase: r.owner };
  const name: Piece = { anyCase: r.name };
  const ownerId: Piece = r.ownerId ? r.ownerId : ID_RUN;
  const repoId: Piece = r.repoId ? r.repoId : ID_RUN;
  return [
    {
      oneOf: [
        [owner, "/", name],
        [owner, "@", ownerId, "/", name, "@", repoId],
      ],
    },
  ];
}

const NAME_RUN: Piece = { run: (c) => c !== ":", min: 1 };

function encodeColons(s: string): string {
  return s.replace(/:/g, "%3A");
}

interface Context {
  kind: SituationKind;
  /** The sub's context part (`ref:refs/heads/…`, `pull_request`, `environment:prod`). */
  context?: Piece[];
  /** The `ref` claim. */
  ref?: Piece[];
  refType?: string;
  holes?: HoleSet;
  description: string;
  unknownWhy?: string;
}

function branchContext(
  include: readonly string[] | undefined,
  ignore: readonly string[] | undefined,
  description: string,
): Context {
  const holes: HoleSet = { samples: BRANCH_SAMPLES };
  if (include) holes.include = include;
  if (ignore) holes.ignore = ignore;
  return {
    kind: "branch",
    context: ["ref:refs/heads/", { hole: true }],
    ref: ["refs/heads/", { hole: true }],
    refType: "branch",
    holes,
    description,
  };
}

function tagContext(
  include: readonly string[] | undefined,
  ignore: readonly string[] | undefined,
  description: string,
): Context {
  const holes: HoleSet = { samples: TAG_SAMPLES };
  if (include) holes.include = include;
  if (ignore) holes.ignore = ignore;
  return {
    kind: "tag",
    context: ["ref:refs/tags/", { hole: true }],
    ref: ["refs/tags/", { hole: true }],
    refType: "tag",
    holes,
    description,
  };
}

function fixedBranch(branch: string, description: string): Context {
  return {
    kind: "branch",
    context: [`ref:refs/heads/${encodeColons(branch)}`],
    ref: [`refs/heads/${branch}`],
    refType: "branch",
    description,
  };
}

function fixedTag(tag: string, description: string): Context {
  return {
    kind: "tag",
    context: [`ref:refs/tags/${encodeColons(tag)}`],
    ref: [`refs/tags/${tag}`],
    refType: "tag",
    description,
  };
}

/** A made-up commit id for examples of merge queue branch names. */
const QUEUE_SHA = "3f9a1c27d4b85e60f1a2b3c4d5e6f708192a3b4c";

/**
 * `merge_group` runs on the queue's temporary branch `gh-readonly-queue/BASE/pr-NUMBER-SHA`; a
 * `branches` / `branches-ignore` filter selects the BASE branches (the branch the group merges into).
 */
function mergeQueueContext(
  branches: readonly string[] | undefined,
  branchesIgnore: readonly string[] | undefined,
  settings: ResolvedSettings,
): Context {
  // The base patterns as patterns of the queue branch (GitHub's `*` never crosses `/`; `pr-N-SHA` has none).
  const queue = (p: string): string =>
    p.startsWith("!") ? `!gh-readonly-queue/${p.slice(1)}/pr-*` : `gh-readonly-queue/${p}/pr-*`;
  const bases = [...(branches ?? []).filter(isLiteralName), settings.defaultBranch, ...BRANCH_SAMPLES];
  const samples = [...new Set(bases)].map((b) => `gh-readonly-queue/${b}/pr-123-${QUEUE_SHA}`);
  const ctx = branchContext(
    branches ? branches.map(queue) : ["gh-readonly-queue/**/pr-*"],
    branchesIgnore?.map(queue),
    "",
  );
  ctx.holes = { ...ctx.holes, samples };
  ctx.description = branches
    ? `runs on a merge queue branch \`gh-readonly-queue/<base>/pr-<number>-<sha>\` for a base matching ${quoteList(branches)}`
    : branchesIgnore
      ? `runs on a merge queue branch \`gh-readonly-queue/<base>/pr-<number>-<sha>\` for a base other than ${quoteList(branchesIgnore)}`
      : "runs on a merge queue branch `gh-readonly-queue/<base>/pr-<number>-<sha>`";
  return ctx;
}

/** A filter pattern without glob characters names exactly one branch or tag. */
function isLiteralName(pattern: string): boolean {
  return !/[*?+[\]\\]/.test(pattern) && !pattern.startsWith("!");
}

/** A name as a filter pattern that matches only itself. */
function escapeGlob(name: string): string {
  return name.replace(/[*?+[\]\\]/g, "\\$&").replace(/^!/, "\\!");
}

function values(list: { value: string }[] | undefined): string[] | undefined {
  return list?.map((l) => l.value);
}

function quoteList(list: readonly string[]): string {
  return list.map((p) => `\`${p}\``).join(", ");
}

/** The ref situations a trigger leads to (before the environment, which overrides the sub's context). */
function triggerContexts(trigger: Trigger, settings: ResolvedSettings): Context[] {
  const event = trigger.event.value;
  const f = trigger.filter;
  switch (event) {
    case "push": {
      const branches = values(f.branches);
      const branchesIgnore = values(f.branchesIgnore);
      const tags = values(f.tags);
      const tagsIgnore = values(f.tagsIgnore);
      const branchFilter = branches !== undefined || branchesIgnore !== undefined;
      const tagFilter = tags !== undefined || tagsIgnore !== undefined;
      const out: Context[] = [];
      if (branchFilter || !tagFilter) {
        // `branches: [main]` names its branches: one fixed situation each, no placeholder.
        if (branches && !branchesIgnore && branches.length > 0 && branches.every(isLiteralName))
          out.push(...branches.map((b) => fixedBranch(b, `to \`${b}\``)));
        else {
          const d = branches
            ? `to a branch matching ${quoteList(branches)}`
            : branchesIgnore
              ? `to a branch other than ${quoteList(branchesIgnore)}`
              : "to any branch";
          out.push(branchContext(branches, branchesIgnore, d));
        }
      }
      if (tagFilter || !branchFilter) {
        if (tags && !tagsIgnore && tags.length > 0 && tags.every(isLiteralName))
          out.push(...tags.map((t) => fixedTag(t, `of tag \`${t}\``)));
        else {
          const d = tags
            ? `of a tag matching ${quoteList(tags)}`
            : tagsIgnore
              ? `of a tag other than ${quoteList(tagsIgnore)}`
              : "of any tag";
          out.push(tagContext(tags, tagsIgnore, d));
        }
      }
      return out;
    }
    case "pull_request":
      return [
        {
          kind: "pull_request",
          context: ["pull_request"],
          ref: ["refs/pull/", ID_RUN, "/merge"],
          refType: "branch",
          description: "",
        },
      ];
    case "workflow_dispatch":
      return [branchContext(undefined, undefined, "runs from any branch")];
    case "release":
      return [tagContext(undefined, undefined, "runs on the release's tag")];
    case "merge_group":
      return [mergeQueueContext(values(f.branches), values(f.branchesIgnore), settings)];
    default:
      if (DEFAULT_BRANCH_EVENTS.has(event))
        return settings.defaultBranchAssumed === true
          ? [{ kind: "unknown", description: "", unknownWhy: DEFAULT_BRANCH_UNKNOWN }]
          : [fixedBranch(settings.defaultBranch, `runs on the default branch \`${settings.defaultBranch}\``)];
      return [
        {
          kind: "unknown",
          description: "",
          unknownWhy:
            event === "workflow_call"
              ? "a called workflow receives its caller's claims"
              : `oidclint does not predict the ref of \`${event}\` runs`,
        },
      ];
  }
}

/**
 * The situations in which a job can receive a token, one or more per trigger. The job's `if:` is
 * honoured (`src/analysis/job-condition.ts`): a trigger it excludes yields nothing, refs it names pin the
 * branch or tag.
 */
export function jobSituations(workflow: Workflow, job: Job, settings: ResolvedSettings, step?: Step): JobSituation[] {
  return situationsOf(
    workflow,
    workflow.file,
    job,
    [job.if?.value, step?.if?.value],
    conditionLabel(job, step),
    settings,
  );
}

/** The caller of a reusable workflow: the workflow and its job whose `uses:` runs the callee. */
export interface WorkflowCaller {
  workflow: Workflow;
  job: Job;
}

/**
 * The situations of a job of a reusable workflow in this repository (`uses: ./.github/workflows/x.yml`),
 * run by `caller` (GitHub's "OIDC with reusable workflows"): the claims are the caller's (its triggers, its
 * ref, its repository), filtered by the caller job's `if:` and the called job's and step's; the `sub`'s
 * environment is the called job's (`job` with its environment already resolved from the caller's `with:`);
 * `job_workflow_ref` names the called workflow at the caller's ref (a local call runs the callee from the
 * caller's commit), `workflow_ref` the caller's.
 */
export function calledJobSituations(
  caller: WorkflowCaller,
  callee: Workflow,
  job: Job,
  settings: ResolvedSettings,
  step?: Step,
): JobSituation[] {
  const ifs = [caller.job.if?.value, job.if?.value, step?.if?.value];
  const label = caller.job.if === undefined ? conditionLabel(job, step) : "the caller's and the called job's `if:`";
  return situationsOf(caller.workflow, callee.file, job, ifs, label, settings);
}

function situationsOf(
  workflow: Workflow,
  jobWorkflowFile: string,
  job: Job,
  ifs: (string | undefined)[],
  label: string,
  settings: ResolvedSettings,
): JobSituation[] {
  const repo = repoFacts(settings);
  const envText = job.environment ? knownText(job.environment) : undefined;
  const condition = jobCondition(...ifs);
  const out: JobSituation[] = [];
  for (const trigger of workflow.triggers) {
    const rule = condition.refsFor(trigger.event.value);
    if (rule.kind === "never") continue;
    for (const ctx of triggerContexts(trigger, settings)) {
      for (const narrowed of narrowByCondition(ctx, rule, label))
        out.push(situation(workflow, jobWorkflowFile, trigger, narrowed, job, envText, repo, settings));
    }
  }
  return out;
}

/** Whose `if:` narrows the runs, for messages: "the job's `if:`", "the step's `if:`" or both. */
export function conditionLabel(job: Job, step: Step | undefined): string {
  if (step?.if === undefined) return "the job's `if:`";
  return job.if === undefined ? "the step's `if:`" : "the job's and the step's `if:`";
}

/** A ref-name prefix that some `N/merge` (a pull request's ref name) can start with. */
function startsPullName(prefix: string): boolean {
  const m = /^(\d*)(.*)$/.exec(prefix);
  const rest = m?.[2] ?? "";
  return rest === "" || ((m?.[1] ?? "") !== "" && "/merge".startsWith(rest));
}

function pullReachable(n: NamesUnder): boolean {
  if (n.kind === "none") return false;
  if (n.kind === "except") return true;
  return n.names.some((name) => /^\d+\/merge$/i.test(name)) || n.prefixes.some(startsPullName);
}

/** The part of a context that the job's `if:` lets through (nothing, the context, or pinned refs). */
function narrowByCondition(ctx: Context, rule: RefRule, label: string): Context[] {
  if (rule.kind === "except" && rule.refs.length === 0 && rule.prefixes.length === 0) return [ctx];
  if (ctx.kind === "unknown" || ctx.kind === "environment") return [ctx];
  if (ctx.kind === "pull_request") return pullReachable(namesUnder(rule, "refs/pull/")) ? [ctx] : [];
  const fixed = ctx.ref?.length === 1 && typeof ctx.ref[0] === "string" ? ctx.ref[0] : undefined;
  if (!ctx.holes) return fixed === undefined || ruleAdmitsRef(rule, fixed) ? [ctx] : [];
  const holes = ctx.holes;
  const base = ctx.kind === "tag" ? "refs/tags/" : "refs/heads/";
  const n = namesUnder(rule, base);
  if (n.kind === "none") return [];
  if (n.kind === "only") {
    // The pin only narrows: a name the trigger does not admit never runs.
    const out = n.names
      .filter((name) => holeAdmits(holes, name))
      .map((name) =>
        (ctx.kind === "tag" ? fixedTag : fixedBranch)(
          name,
          `${ctx.description}; ${label} allows only \`${base}${name}\``,
        ),
      );
    if (n.prefixes.length > 0) {
      out.push({
        ...ctx,
        holes: { ...holes, prefixes: n.prefixes },
        description: `${ctx.description}; ${label} allows only refs starting with ${quoteList(n.prefixes.map((p) => base + p))}`,
      });
    }
    return out;
  }
  if (n.names.length === 0 && n.prefixes.length === 0) return [ctx];
  const ignore = [...(holes.ignore ?? []), ...n.names.map(escapeGlob), ...n.prefixes.map((p) => `${escapeGlob(p)}**`)];
  const excluded = [...n.names.map((name) => base + name), ...n.prefixes.map((p) => `${base}${p}…`)];
  return [
    {
      ...ctx,
      holes: { ...holes, ignore },
      description: `${ctx.description}; ${label} excludes ${quoteList(excluded)}`,
    },
  ];
}

function situation(
  workflow: Workflow,
  jobWorkflowFile: string,
  trigger: Trigger,
  ctx: Context,
  job: Job,
  envText: string | undefined,
  repo: RepoFacts,
  settings: ResolvedSettings,
): JobSituation {
  const event = trigger.event.value;
  const claims = new Map<string, PredictedValue>();
  const pieces = (p: Piece[] | undefined): PredictedValue => (p ? { kind: "pieces", pieces: p } : { kind: "unknown" });
  const repoKnown = repo.owner !== undefined && repo.name !== undefined;
  claims.set("event_name", pieces([event]));
  claims.set("ref", pieces(ctx.ref));
  if (ctx.refType) claims.set("ref_type", pieces([ctx.refType]));
  if (repoKnown) {
    claims.set("repository", pieces([{ anyCase: `${repo.owner ?? ""}/${repo.name ?? ""}` }]));
    claims.set("repository_owner", pieces([{ anyCase: repo.owner ?? "" }]));
    claims.set("repository_id", pieces([repo.repoId ?? ID_RUN]));
    claims.set("repository_owner_id", pieces([repo.ownerId ?? ID_RUN]));
    if (ctx.ref) {
      const repoPiece: Piece = { anyCase: `${repo.owner ?? ""}/${repo.name ?? ""}` };
      claims.set("job_workflow_ref", pieces([repoPiece, `/${jobWorkflowFile}@`, ...ctx.ref]));
      claims.set("workflow_ref", pieces([repoPiece, `/${workflow.file}@`, ...ctx.ref]));
    }
  }
  let kind = ctx.kind;
  let context = ctx.context;
  let description = ctx.description;
  let unknownWhy = ctx.unknownWhy;
  // An environment name that evaluates to the empty string (`environment: ${{ matrix.env }}` with `env: ""`)
  // is disregarded by GitHub: the job runs without one, and its sub is the event's.
  if (job.environment && envText !== "") {
    if (envText === undefined) {
      claims.set("environment", { kind: "unknown" });
      kind = "unknown";
      context = undefined;
      unknownWhy = `the environment \`${job.environment.parts.map((p) => (typeof p === "string" ? p : `\${{ ${p.unknown} }}`)).join("")}\` is not known statically`;
    } else {
      claims.set("environment", pieces([envText]));
      kind = "environment";
      context = [`environment:${encodeColons(envText)}`];
      description = [description, `environment \`${envText}\``].filter((d) => d !== "").join(", ");
      unknownWhy = undefined;
    }
  } else claims.set("environment", { kind: "absent" });
  let sub: Piece[] | undefined;
  if (context) sub = subPieces(settings.subClaimTemplate, context, repo, claims);
  claims.set("sub", pieces(sub));
  const out: JobSituation = { trigger, event, kind, description, claims };
  if (ctx.holes && ctx.kind !== "unknown") out.holes = ctx.holes;
  if (unknownWhy) out.unknownWhy = unknownWhy;
  if (sub) out.sub = sub;
  return out;
}

/** The sub under a (possibly customised) template: `repo:…`, the context, then `key:value` per other claim. */
function subPieces(
  template: readonly string[],
  context: Piece[],
  repo: RepoFacts,
  claims: ReadonlyMap<string, PredictedValue>,
): Piece[] {
  const out: Piece[] = [];
  template.forEach((key, i) => {
    if (i > 0) out.push(":");
    if (key === "repo") out.push("repo:", ...repoPieces(repo));
    else if (key === "context") out.push(...context);
    else {
      const v = claims.get(key);
      out.push(`${key}:`);
      if (v?.kind === "pieces") out.push(...v.pieces.map((p) => (typeof p === "string" ? encodeColons(p) : p)));
      else out.push(ANY_RUN);
    }
  });
  return out;
}

/** The pieces as a reader would write them; the hole as `name` (or `<branch>`), unknowns as `<…>`. */
export function renderPieces(pieces: readonly Piece[], hole = "<name>"): string {
  return pieces
    .map((p): string => {
      if (typeof p === "string") return p;
      if ("anyCase" in p) return p.anyCase;
      if ("hole" in p) return hole;
      if ("oneOf" in p) return renderPieces(p.oneOf[0] ?? [], hole);
      return p === ID_RUN || p.min === 1 ? "<id>" : "<unknown>";
    })
    .join("");
}

/** The sub shown in messages, with `OWNER/REPO` when the repository is not known. */
export function renderSub(s: JobSituation, example?: string): string {
  if (!s.sub) return "(unknown)";
  const hole = example ?? (s.kind === "tag" ? "<tag>" : "<branch>");
  return renderPieces(s.sub, hole).replace(/^repo:<id>/, "repo:OWNER/REPO");
}

/** The set a situation's placeholder ranges over, for readers: "any branch matching `release/**`". */
export function describeHole(s: JobSituation): string | undefined {
  const h = s.holes;
  if (!h) return undefined;
  const what = s.kind === "tag" ? "tag" : "branch";
  const parts = [h.include ? `any ${what} matching ${quoteList(h.include)}` : `any ${what}`];
  if (h.ignore && h.ignore.length > 0) parts.push(`except ${quoteList(h.ignore)}`);
  if (h.prefixes && h.prefixes.length > 0) parts.push(`starting with ${quoteList(h.prefixes)}`);
  return parts.join(", ");
}

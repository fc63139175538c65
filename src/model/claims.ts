import type { ResolvedSettings } from "../config/settings.js";
import { ANY_RUN, filterListAdmits, ID_RUN, type HoleSet, type Piece, type PredictedClaims, type PredictedValue } from "./iam-matcher.js";
import type { Job, Trigger, Workflow } from "./workflow.js";
import { knownText } from "./value.js";

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
  /** How the job runs, for messages: "push to a branch matching `release/**`". */
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
  const ids = settings as ResolvedSettings & { repositoryOwnerId?: string; repositoryId?: string };
  if (ids.repositoryOwnerId) out.ownerId = ids.repositoryOwnerId;
  if (ids.repositoryId) out.repoId = ids.repositoryId;
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
  return [{ oneOf: [[owner, "/", name], [owner, "@", ownerId, "/", name, "@", repoId]] }];
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

function branchContext(include: readonly string[] | undefined, ignore: readonly string[] | undefined, description: string): Context {
  const holes: HoleSet = { samples: BRANCH_SAMPLES };
  if (include) holes.include = include;
  if (ignore) holes.ignore = ignore;
  return { kind: "branch", context: ["ref:refs/heads/", { hole: true }], ref: ["refs/heads/", { hole: true }], refType: "branch", holes, description };
}

function tagContext(include: readonly string[] | undefined, ignore: readonly string[] | undefined, description: string): Context {
  const holes: HoleSet = { samples: TAG_SAMPLES };
  if (include) holes.include = include;
  if (ignore) holes.ignore = ignore;
  return { kind: "tag", context: ["ref:refs/tags/", { hole: true }], ref: ["refs/tags/", { hole: true }], refType: "tag", holes, description };
}

function fixedBranch(branch: string, description: string): Context {
  return { kind: "branch", context: [`ref:refs/heads/${branch}`], ref: [`refs/heads/${branch}`], refType: "branch", description };
}

function values(list: { value: string }[] | undefined): string[] | undefined {
  return list?.map((l) => l.value);
}

function quoteList(list: readonly string[]): string {
  return list.map((p) => `\`${p}\``).join(", ");
}

/** A job-level `if: github.ref == 'refs/heads/main'` pins the branch (only that simple form is read). */
function pinnedRef(job: Job): string | undefined {
  const cond = job.if?.value;
  if (!cond || /\|\||!=|!\s*\(|\bcontains\b/.test(cond)) return undefined;
  const m = /github\.ref\s*==\s*'(refs\/(?:heads|tags)\/[^']+)'/.exec(cond) ?? /'(refs\/(?:heads|tags)\/[^']+)'\s*==\s*github\.ref\b/.exec(cond);
  return m?.[1];
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
        const d = branches ? `push to a branch matching ${quoteList(branches)}` : branchesIgnore ? `push to a branch other than ${quoteList(branchesIgnore)}` : "push to any branch";
        out.push(branchContext(branches, branchesIgnore, d));
      }
      if (tagFilter || !branchFilter) {
        const d = tags ? `push of a tag matching ${quoteList(tags)}` : tagsIgnore ? `push of a tag other than ${quoteList(tagsIgnore)}` : "push of any tag";
        out.push(tagContext(tags, tagsIgnore, d));
      }
      return out;
    }
    case "pull_request":
      return [{ kind: "pull_request", context: ["pull_request"], ref: ["refs/pull/", ID_RUN, "/merge"], refType: "branch", description: "pull_request" }];
    case "workflow_dispatch":
      return [branchContext(undefined, undefined, "workflow_dispatch (run from any branch)")];
    case "release":
      return [tagContext(undefined, undefined, "release (the release's tag)")];
    case "merge_group":
      return [branchContext(["gh-readonly-queue/**"], undefined, "merge_group (merge queue branch `gh-readonly-queue/…`)")];
    default:
      if (DEFAULT_BRANCH_EVENTS.has(event)) return [fixedBranch(settings.defaultBranch, `${event} (runs on the default branch \`${settings.defaultBranch}\`)`)];
      return [
        {
          kind: "unknown",
          description: event,
          unknownWhy:
            event === "workflow_call" ? "a called workflow receives its caller's claims" : `oidclint does not predict the ref of \`${event}\` runs`,
        },
      ];
  }
}

/** The situations in which a job can receive a token, one or more per trigger. */
export function jobSituations(workflow: Workflow, job: Job, settings: ResolvedSettings): JobSituation[] {
  const repo = repoFacts(settings);
  const envText = job.environment ? knownText(job.environment) : undefined;
  const pinned = pinnedRef(job);
  const out: JobSituation[] = [];
  for (const trigger of workflow.triggers) {
    for (let ctx of triggerContexts(trigger, settings)) {
      if (pinned && (ctx.kind === "branch" || ctx.kind === "tag")) {
        const name = pinned.replace(/^refs\/(heads|tags)\//, "");
        const isTag = pinned.startsWith("refs/tags/");
        if ((ctx.kind === "tag") !== isTag) continue;
        // The pin only narrows: a name the trigger does not admit never runs.
        if (ctx.holes && !admitsSample(ctx.holes, name)) continue;
        ctx = isTag
          ? { kind: "tag", context: [`ref:${pinned}`], ref: [pinned], refType: "tag", description: `${ctx.description}, only \`${pinned}\` (job \`if\`)` }
          : { ...fixedBranch(name, `${ctx.description}, only \`${pinned}\` (job \`if\`)`) };
      }
      out.push(situation(workflow, trigger, ctx, job, envText, repo, settings));
    }
  }
  return out;
}

function admitsSample(holes: HoleSet, name: string): boolean {
  if (holes.include !== undefined && !filterListAdmits(holes.include, name)) return false;
  return !(holes.ignore ?? []).some((p) => filterListAdmits([p], name));
}

function situation(workflow: Workflow, trigger: Trigger, ctx: Context, job: Job, envText: string | undefined, repo: RepoFacts, settings: ResolvedSettings): JobSituation {
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
      const wf: Piece[] = [{ anyCase: `${repo.owner ?? ""}/${repo.name ?? ""}` }, `/${workflow.file}@`, ...ctx.ref];
      claims.set("job_workflow_ref", pieces(wf));
      claims.set("workflow_ref", pieces(wf));
    }
  }
  let kind = ctx.kind;
  let context = ctx.context;
  let description = ctx.description;
  let unknownWhy = ctx.unknownWhy;
  if (job.environment) {
    if (envText === undefined) {
      claims.set("environment", { kind: "unknown" });
      kind = "unknown";
      context = undefined;
      unknownWhy = `the environment \`${job.environment.parts.map((p) => (typeof p === "string" ? p : `\${{ ${p.unknown} }}`)).join("")}\` is not known statically`;
    } else {
      claims.set("environment", pieces([envText]));
      kind = "environment";
      context = [`environment:${encodeColons(envText)}`];
      description = `${description}, environment \`${envText}\``;
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
function subPieces(template: readonly string[], context: Piece[], repo: RepoFacts, claims: ReadonlyMap<string, PredictedValue>): Piece[] {
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

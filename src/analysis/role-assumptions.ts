import { DEFAULT_AWS_AUDIENCE } from "../model/well-known.js";
import { normalize } from "node:path";
import type { ResolvedSettings } from "../config/settings.js";
import { allowedPatterns, findRefusedClaim, type PredictedValue } from "./iam-evaluation.js";
import type { SourceLocation } from "../model/location.js";
import type { PolicyDocument, RoleInfo } from "../model/policy.js";
import type { ProjectIndex } from "./project-index.js";
import { displayText, isUnknownPart, knownText, type StrValue } from "../model/value.js";
import type { Job, Step, Workflow } from "../model/workflow.js";
import { jobOidcUses, type UsageContext } from "./token-use.js";
import { resolveContexts, variablesMap, type ValueContexts } from "./workflow-values.js";

/**
 * Which roles a workflow assumes, and which of them the linted files define. A `role-to-assume` is an
 * ARN `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`; the name (and path) are matched to Terraform
 * `aws_iam_role` (`name`, `name_prefix`, `path`), CloudFormation `RoleName`/`Path`, `aws iam get-role`
 * output, or the `roles` config map (ARN → file). A role given as `${{ secrets.X }}` / `${{ vars.X }}`
 * is unknown: nothing is claimed about it.
 */

export interface RoleAssumption {
  workflow: Workflow;
  /** The job, its `environment` resolved under the matrix combination (when there is one) and `variables`. */
  job: Job;
  /** The step of the job that (directly or through a composite action) assumes the role. */
  step: Step;
  role: StrValue;
  /** The `audience` input; undefined: the default `sts.amazonaws.com`. */
  audience?: StrValue;
  /** Where the finding goes: the `role-to-assume` value as written in the workflow (or the composite call). */
  loc: SourceLocation;
  /** The matrix combination the values were resolved under, when the job's matrix feeds them. */
  matrix?: ReadonlyMap<string, StrValue>;
}

/** Whether a value reads the matrix context. */
function readsMatrix(v: StrValue | undefined): boolean {
  return v !== undefined && v.parts.some((p) => isUnknownPart(p) && /\bmatrix\b/.test(p.unknown));
}

/** The job's `environment` with `matrix` and `vars` substituted (the contexts GitHub allows there). */
function resolvedJob(
  job: Job,
  settings: UsageContext["settings"],
  matrix: ReadonlyMap<string, StrValue> | undefined,
): Job {
  if (!job.environment || job.environment.parts.every((p) => !isUnknownPart(p))) return job;
  const ctx: ValueContexts = { env: [], variables: variablesMap(settings.variables) };
  if (matrix) ctx.matrix = matrix;
  const environment = resolveContexts(job.environment, ctx);
  return environment === job.environment ? job : { ...job, environment };
}

function assumptionsOf(
  index: ProjectIndex,
  settings: UsageContext["settings"],
  wf: Workflow,
  job: Job,
  matrix?: ReadonlyMap<string, StrValue>,
): RoleAssumption[] {
  const out: RoleAssumption[] = [];
  const effective = resolvedJob(job, settings, matrix);
  for (const use of jobOidcUses({ index, settings }, job, wf, matrix)) {
    if (!use.assume || use.via || use.need !== "yes") continue;
    const { role, audience, step } = use.assume;
    // The finding goes where the user wrote the role: the workflow step, or the composite call passing it.
    const loc = role.loc.file === wf.file ? role.loc : use.loc;
    const a: RoleAssumption = { workflow: wf, job: effective, step, role, loc };
    if (audience) a.audience = audience;
    if (matrix) a.matrix = matrix;
    out.push(a);
  }
  return out;
}

/**
 * Every role a job certainly assumes through OIDC with `configure-aws-credentials` (also inside local
 * composite actions): the `configure-aws-credentials` uses of the shared OIDC-usage model that are
 * certain (`need: "yes"`) and in the job itself (not in a called reusable workflow). Values read from
 * `env`, `vars`/`secrets` (config `variables`) are substituted; when the role, the audience or the job's
 * environment reads the matrix, there is one assumption per matrix combination.
 */
export function jobRoleAssumptions(
  index: ProjectIndex,
  settings: UsageContext["settings"],
  wf: Workflow,
  job: Job,
): RoleAssumption[] {
  const base = assumptionsOf(index, settings, wf, job);
  const combinations = job.matrix?.combinations;
  if (!combinations) return base;
  const feeds = readsMatrix(job.environment) || base.some((a) => readsMatrix(a.role) || readsMatrix(a.audience));
  if (!feeds) return base;
  return combinations.flatMap((c) => assumptionsOf(index, settings, wf, job, c));
}

/** Whether the linted files (or the `roles` config map) define any role a workflow could be matched to. */
export function definesRoles(index: ProjectIndex): boolean {
  return index.hasRoles || Object.keys(index.settings.roles).length > 0;
}

export interface RoleArn {
  /** Full text when known. */
  arn?: string;
  name: string;
  /** `/` or `/team/…/`. */
  path: string;
}

/**
 * Reads a role ARN. Unknown pieces are fine before `:role/` (an account id from a secret); the path and
 * name must be known. Undefined when the role cannot be named.
 */
export function parseRoleArn(v: StrValue): RoleArn | undefined {
  let tail = "";
  for (const p of v.parts) tail = isUnknownPart(p) ? "" : tail + p;
  const i = tail.indexOf(":role/");
  if (i < 0) return undefined;
  const rest = tail.slice(i + ":role/".length).trim();
  if (rest === "" || rest.endsWith("/")) return undefined;
  const slash = rest.lastIndexOf("/");
  const name = rest.slice(slash + 1);
  const path = slash < 0 ? "/" : `/${rest.slice(0, slash + 1)}`;
  const arn = knownText(v);
  if (!/^arn:[^:]*:iam::/.test(displayText(v).trim())) return undefined;
  return arn === undefined ? { name, path } : { arn: arn.trim(), name, path };
}

export interface ResolvedRole {
  /** How the role was found, for messages: "`aws_iam_role.deploy` (infra/iam.tf)". */
  label: string;
  /** The trust policy documents of the role. */
  docs: PolicyDocument[];
  loc: SourceLocation;
}

function pathMatches(info: RoleInfo, arn: RoleArn): boolean {
  const path = info.path ? knownText(info.path) : "/";
  return path === undefined || normalisePath(path) === arn.path;
}

function normalisePath(p: string): string {
  let out = p.startsWith("/") ? p : `/${p}`;
  if (!out.endsWith("/")) out += "/";
  return out;
}

/**
 * The roles of the linted files that an assumed ARN names (the `roles` config map first). Empty when the
 * ARN is unknown or names a role the files do not define. Index lookups: no role is compared with every ARN.
 */
export function resolveRole(role: StrValue, index: ProjectIndex): ResolvedRole[] {
  const arnText = knownText(role)?.trim();
  const roles = index.settings.roles;
  if (arnText !== undefined && Object.hasOwn(roles, arnText)) {
    const file = roles[arnText] ?? "";
    const want = normalize(file).replace(/\\/g, "/").replace(/^\.\//, "");
    const docs = index.trustDocsAt(want);
    return docs.length > 0 ? [{ label: `\`${file}\` (config \`roles\`)`, docs, loc: docs[0]?.loc ?? role.loc }] : [];
  }
  const arn = parseRoleArn(role);
  if (!arn) return [];
  return index
    .rolesNamed(arn.name)
    .filter((r) => pathMatches(r.info, arn))
    .map(({ info, docs }) => ({ label: `\`${info.id}\` (${info.loc.file}:${info.loc.line})`, docs, loc: info.loc }));
}

export interface RefusedAudience {
  use: RoleAssumption;
  role: ResolvedRole;
  /** The audience the step requests. */
  audience: string;
  /** Whether the step writes `audience:` (else the action's default). */
  explicit: boolean;
  /** The `aud` values the role's Allow statements accept. */
  accepted: string[];
}

/**
 * Steps whose requested audience (`with.audience`, default `sts.amazonaws.com`) the assumed role's trust
 * policy refuses. Only the `aud` claim is judged (the sub is `trust-mismatch`'s); a step asking for the
 * configured audience is left to the policy side of `audience-drift`, which reports the policy's value.
 */
export function refusedWorkflowAudiences(
  index: ProjectIndex,
  settings: ResolvedSettings,
  workflows: readonly Workflow[],
): RefusedAudience[] {
  const out: RefusedAudience[] = [];
  if (!definesRoles(index)) return out;
  for (const wf of workflows) {
    for (const job of wf.jobs) {
      for (const use of jobRoleAssumptions(index, settings, wf, job)) {
        const audience = use.audience ? knownText(use.audience)?.trim() : DEFAULT_AWS_AUDIENCE;
        if (audience === undefined || audience === settings.audience) continue;
        const claims = new Map<string, PredictedValue>([["aud", { kind: "pieces", pieces: [audience] }]]);
        for (const role of resolveRole(use.role, index)) {
          if (findRefusedClaim(role.docs, claims, settings, undefined).verdict !== "refused") continue;
          out.push({
            use,
            role,
            audience,
            explicit: use.audience !== undefined,
            accepted: allowedPatterns(role.docs, settings, "aud").map(displayText),
          });
        }
      }
    }
  }
  return out;
}

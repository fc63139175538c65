import type { ResolvedSettings } from "../config/settings.js";
import { compileIamValue, type Piece } from "../analysis/iam-evaluation.js";
import {
  calledJobSituations,
  jobSituations,
  type JobSituation,
  type WorkflowCaller,
} from "../analysis/predicted-claims.js";
import { jobRoleAssumptions, parseRoleArn, type RoleAssumption } from "../analysis/role-assumptions.js";
import { localCallee, substitute, type InputScope } from "../analysis/token-use.js";
import type { Job } from "../model/workflow.js";
import { loadProject, type LoadedProject } from "../engine/load-project.js";
import { knownText } from "../model/value.js";
import { parseOptions, UsageError, wantsHelp } from "./args.js";
import type { CliIO } from "./io.js";

/**
 * `oidclint generate --role NAME|ARN [--format json|terraform|cloudformation|cdk] [paths]`: the narrowest
 * trust policy that accepts the tokens of every job that assumes the role. Each job's claims come from the
 * claim prediction `explain` and `trust-mismatch` use (triggers and their filters, the job's `if:`,
 * environments, the sub template). A claim that cannot be predicted (a run from any branch, an
 * expression, a filter IAM cannot express) is named on stderr and left out, never widened.
 */

const USAGE = `Usage: oidclint generate --role NAME|ARN [paths...] [options]

Writes the narrowest trust policy that accepts the tokens of every job (in the workflows under paths,
default .) that assumes the role. A claim that cannot be predicted is named on stderr and left out.

Options:
      --role NAME|ARN          the role (required): its name, or the ARN the workflows assume
  -f, --format NAME            json (default), terraform, cloudformation, cdk
      --terraform-style STYLE  document (an aws_iam_policy_document, default) or jsonencode
      --context PATH           also read PATH without reporting on it; repeatable
  -c, --config FILE            use this config instead of the nearest .oidclintrc.json
  -h, --help                   show this help

Examples:
  oidclint generate --role deploy
  oidclint generate --role arn:aws:iam::123456789012:role/deploy --format terraform .github/workflows
  oidclint generate --role deploy --format cloudformation > trust.yaml

Exit codes: 0 written, 1 no job's claims could be predicted, 2 usage error.
`;

export const FORMATS = ["json", "terraform", "cloudformation", "cdk"] as const;
export type GenerateFormat = (typeof FORMATS)[number];

class GenerateInputError extends Error {}

export interface GeneratedTrust {
  /** The role's name (from `--role` or the ARN). */
  roleName: string;
  /** Provider ARN; `ACCOUNT_ID` stands for an account that is not known. */
  providerArn: string;
  issuer: string;
  audiences: string[];
  /** Sub values, sorted; patterns (with `*`) only where a filter names a set of branches or tags. */
  subjects: string[];
  /**
   * `job_workflow_ref` values (`OWNER/REPO/.github/workflows/FILE@REF`), sorted: set when a job that
   * assumes the role runs in a reusable workflow, then for every job; empty: no such condition.
   */
  workflowRefs: string[];
  /**
   * One statement per scope: the sub values and the `job_workflow_ref` values they go with. One scope with
   * no workflow refs when there is no such condition; else the (sub, ref) pairs the jobs have, grouped so
   * that no pairing a job does not make is accepted.
   */
  scopes: TrustScope[];
  /** Jobs that assume the role, `workflow file › job` (`caller › job → called workflow › job`). */
  jobs: string[];
  /** The situations the policy accepts (those whose claims could be predicted), for proofs. */
  accepted: { where: string; situation: JobSituation }[];
  /** What was left out, and why (one line each). */
  notes: string[];
}

export interface TrustScope {
  subjects: string[];
  workflowRefs: string[];
}

/** Whether a `role-to-assume` names the role asked for: the whole ARN, or its name. */
function sameRole(written: string | undefined, arnName: string | undefined, wanted: string): boolean {
  if (wanted.startsWith("arn:")) return written?.trim() === wanted;
  return arnName === wanted;
}

/** A GitHub filter glob as an IAM `StringLike` pattern; undefined when IAM cannot express it. */
function filterToIam(pattern: string): string | undefined {
  if (pattern.startsWith("!") || /[?+[\]\\]/.test(pattern)) return undefined;
  return pattern.replace(/\*+/g, "*");
}

/**
 * A claim's values for one situation, or why there are none: a branch or tag set becomes the filter's
 * patterns (`:` encoded `%3A` in the sub), a pull request's number `*`; an unknown id or name cannot be
 * predicted.
 */
function claimValues(
  s: JobSituation,
  pieces: readonly Piece[],
  claim: "sub" | "job_workflow_ref",
  immutable: boolean,
  widened: Set<string>,
): { values: string[] } | { why: string } {
  let holes: string[] = [""];
  let text = "";
  const expand = (list: readonly Piece[]): string | undefined => {
    for (const p of list) {
      if (typeof p === "string") text += p;
      else if ("anyCase" in p) text += p.anyCase;
      else if ("oneOf" in p) {
        const form = immutable ? p.oneOf[p.oneOf.length - 1] : p.oneOf[0];
        const why = expand(form ?? []);
        if (why) return why;
      } else if ("run" in p) {
        // A pull request's number (`refs/pull/<n>/merge`): any, which IAM cannot narrow to digits.
        if (text.endsWith("refs/pull/")) text += "*";
        else
          return "the repository (or its ids) is not known: set `repository` (and `repositoryOwnerId`, `repositoryId`) in .oidclintrc.json";
      } else {
        const h = s.holes;
        if (!h?.include)
          return `${s.event} runs from any ${s.kind === "tag" ? "tag" : "branch"}: give the job an \`environment\` or a \`branches\`/\`tags\` filter`;
        if ((h.ignore ?? []).length > 0 || (h.prefixes ?? []).length > 0)
          return "an ignore list or an `if:` prefix narrows the names in a way IAM cannot express";
        const patterns = h.include.map(filterToIam);
        if (patterns.some((x) => x === undefined))
          return `the filter ${h.include.map((x) => `\`${x}\``).join(", ")} uses syntax IAM cannot express (\`!\`, \`?\`, \`+\`, \`[…]\`)`;
        for (const x of h.include) if (/(^|[^*])\*(?!\*)/.test(x)) widened.add(x);
        holes = patterns.map((x) => (claim === "sub" ? (x ?? "").replace(/:/g, "%3A") : (x ?? "")));
        text += "\u0000";
      }
    }
    return undefined;
  };
  const why = expand(pieces);
  if (why) return { why };
  return { values: holes.map((h) => text.split("\u0000").join(h)) };
}

/** Drops every value another value (a pattern) already accepts: the fewest patterns for the same set. */
function minimise(values: readonly string[]): string[] {
  const unique = [...new Set(values)];
  return unique
    .filter(
      (v) =>
        !unique.some(
          (o) =>
            o !== v &&
            compileIamValue(o, "like")?.matches(v) === true &&
            compileIamValue(v, "like")?.matches(o) !== true,
        ),
    )
    .sort();
}

/** A job that assumes the role: where (for notes), what it asks for, and the situations it runs in. */
interface Assumption {
  where: string;
  use: RoleAssumption;
  /** Runs inside a reusable workflow. */
  called: boolean;
  /** The workflow file the job is written in (the called one for a call): its `job_workflow_ref`. */
  file: string;
  situations: () => JobSituation[];
}

/** `${{ inputs.X }}` of a called job (its steps' `with:` and its `environment`) replaced by the caller's `with:`. */
function withCallerInputs(job: Job, caller: Job): Job {
  const scope: InputScope = new Map([...caller.with].map(([k, v]) => [k.toLowerCase(), v]));
  const steps = job.steps.map((step) => ({
    ...step,
    with: new Map([...step.with].map(([k, v]) => [k, substitute(v, scope)])),
  }));
  const out: Job = { ...job, steps };
  if (job.environment) out.environment = substitute(job.environment, scope);
  return out;
}

/** Every job of the files read that assumes a role, directly or in a reusable workflow of the repository. */
function assumptions(loaded: LoadedProject, notes: string[]): Assumption[] {
  const { project, index, config } = loaded;
  const settings = config.settings;
  const out: Assumption[] = [];
  const calledFiles = new Set<string>();
  for (const wf of project.workflows) {
    for (const job of wf.jobs) {
      const callee = job.uses ? localCallee(index, job.uses.value) : undefined;
      if (!callee) continue;
      calledFiles.add(callee.file);
      const caller: WorkflowCaller = { workflow: wf, job };
      for (const calleeJob of callee.jobs) {
        for (const use of jobRoleAssumptions(index, settings, callee, withCallerInputs(calleeJob, job)))
          out.push({
            where: `${wf.file} › ${job.id.value} → ${callee.file} › ${calleeJob.id.value}`,
            use,
            called: true,
            file: callee.file,
            situations: () => calledJobSituations(caller, callee, use.job, settings, use.step),
          });
      }
    }
  }
  for (const wf of project.workflows) {
    for (const job of wf.jobs) {
      for (const use of jobRoleAssumptions(index, settings, wf, job)) {
        const where = `${wf.file} › ${job.id.value}`;
        const situations = (): JobSituation[] => {
          const all = jobSituations(wf, use.job, settings, use.step);
          // A called workflow's own `workflow_call` runs are its callers' (above); without one, say so.
          const calls = all.filter((s) => s.event === "workflow_call");
          if (calls.length > 0 && !calledFiles.has(wf.file))
            notes.push(
              `${where} (workflow_call): no workflow of the files read calls it (a caller in another repository decides the claims); left out`,
            );
          return all.filter((s) => s.event !== "workflow_call");
        };
        out.push({ where, use, called: false, file: wf.file, situations });
      }
    }
  }
  return out;
}

/** Caller jobs that pass the role to a reusable workflow of another repository, which oidclint cannot read. */
function remoteCalls(loaded: LoadedProject, role: string): string[] {
  const out: string[] = [];
  for (const wf of loaded.project.workflows) {
    for (const job of wf.jobs) {
      const uses = job.uses?.value;
      if (uses === undefined || uses.startsWith("./")) continue;
      const passes = [...job.with.values()].some((v) => {
        const arn = parseRoleArn(v);
        return arn !== undefined && sameRole(knownText(v), arn.name, role);
      });
      if (passes)
        out.push(
          `${wf.file} › ${job.id.value}: passes the role to \`${uses}\`, a reusable workflow of another repository oidclint cannot read (its jobs' \`environment\` decides the sub); left out`,
        );
    }
  }
  return out;
}

export function predictTrust(loaded: LoadedProject, role: string): GeneratedTrust {
  const settings: ResolvedSettings = loaded.config.settings;
  const immutable = settings.repositoryOwnerId !== undefined && settings.repositoryId !== undefined;
  const audiences: string[] = [];
  const subjects: string[] = [];
  const workflowRefs: string[] = [];
  /** (sub, job_workflow_ref) pairs, one per value of a situation. */
  const pairs: [string, string][] = [];
  /** `job_workflow_ref` values pinning a file at any ref → the first job situation that needed one. */
  const anyRefs = new Map<string, string>();
  const jobs: string[] = [];
  const accepted: GeneratedTrust["accepted"] = [];
  const notes: string[] = [];
  let called = false;
  let account: string | undefined;
  let partition = "aws";
  /** Filter patterns with a single `*`, which stops at `/` in GitHub's filters but not in IAM. */
  const widened = new Set<string>();
  for (const { where, use: a, called: inCall, file, situations } of assumptions(loaded, notes)) {
    const written = knownText(a.role);
    const arn = parseRoleArn(a.role);
    if (written === undefined && arn === undefined) {
      notes.push(`${where}: the role is an expression (${a.loc.file}:${a.loc.line}); not included`);
      continue;
    }
    if (!sameRole(written, arn?.name, role)) continue;
    const m = written ? /^arn:([^:]+):iam::(\d{12}):/.exec(written.trim()) : null;
    if (m?.[1] && m[2]) {
      partition = m[1];
      account = m[2];
    }
    const aud = a.audience ? knownText(a.audience)?.trim() : settings.audience;
    if (aud === undefined) {
      notes.push(`${where}: the audience is an expression; this job is left out`);
      continue;
    }
    jobs.push(where);
    called ||= inCall;
    for (const s of situations()) {
      const out = s.sub
        ? claimValues(s, s.sub, "sub", immutable, widened)
        : { why: s.unknownWhy ?? "the claim is not predictable" };
      if ("why" in out) {
        notes.push(`${where} (${s.event}): ${out.why}; left out`);
        continue;
      }
      subjects.push(...out.values);
      audiences.push(aud);
      accepted.push({ where, situation: s });
      const ref = s.claims.get("job_workflow_ref");
      const refs =
        ref?.kind === "pieces"
          ? claimValues(s, ref.pieces, "job_workflow_ref", false, widened)
          : { why: s.unknownWhy ?? "the ref is not known" };
      const refValues = "values" in refs ? refs.values : [`${settings.repository ?? ""}/${file}@*`];
      workflowRefs.push(...refValues);
      // Values of one hole (the same branch or tag pattern) go together; a fixed sub goes with every ref.
      const subs = out.values;
      if (subs.length === refValues.length) subs.forEach((v, i) => pairs.push([v, refValues[i] ?? ""]));
      else for (const v of subs) for (const r of refValues) pairs.push([v, r]);
      if ("why" in refs) {
        // The sub is known (an environment) but the ref is not: the workflow file is pinned at any ref.
        const anyRef = refValues[0] ?? "";
        if (!anyRefs.has(anyRef))
          anyRefs.set(anyRef, `${where} on \`${s.event}\`${s.description ? ` (${s.description})` : ""}`);
      }
    }
  }
  notes.push(...remoteCalls(loaded, role));
  const roleName = role.startsWith("arn:") ? role.slice(role.lastIndexOf("/") + 1) : role;
  for (const p of widened)
    notes.push(
      `the filter \`${p}\` stops at \`/\` in GitHub, IAM's \`*\` does not: the policy also accepts names below it (\`${p.replace("*", "x/y")}\`)`,
    );
  if (!account && jobs.length > 0)
    notes.push("no job names the role by a literal ARN: ACCOUNT_ID stands for the account in the provider ARN");
  // The sub already carries the called workflow when the template includes it.
  const refCondition = called && !settings.subClaimTemplate.includes("job_workflow_ref");
  if (refCondition)
    for (const [value, why] of anyRefs)
      notes.push(
        `${why}: the ref the workflow runs at cannot be predicted; \`job_workflow_ref\` pins \`${value}\` at any ref`,
      );
  return {
    roleName,
    providerArn: `arn:${partition}:iam::${account ?? "ACCOUNT_ID"}:oidc-provider/${settings.issuer}`,
    issuer: settings.issuer,
    audiences: [...new Set(audiences)].sort(),
    subjects: minimise(subjects),
    workflowRefs: refCondition ? minimise(workflowRefs) : [],
    scopes: refCondition ? scopesOf(pairs) : [{ subjects: minimise(subjects), workflowRefs: [] }],
    jobs,
    accepted,
    notes,
  };
}

/** Whether IAM's `StringLike` pattern `a` accepts every value `b` accepts. */
function covers(a: string, b: string): boolean {
  return compileIamValue(a, "like")?.matches(b) === true;
}

/**
 * The statements for (sub, job_workflow_ref) pairs: a pair another pair covers on both claims is dropped,
 * then subs with the same set of refs share a statement (the fewest statements for exactly these pairs).
 */
function scopesOf(pairs: readonly [string, string][]): TrustScope[] {
  const unique = [...new Map(pairs.map((p) => [`${p[0]}\n${p[1]}`, p])).values()];
  const kept = unique.filter(
    ([s, r]) =>
      !unique.some(
        ([s2, r2]) => (s2 !== s || r2 !== r) && covers(s2, s) && covers(r2, r) && !(covers(s, s2) && covers(r, r2)),
      ),
  );
  const refsBySub = new Map<string, Set<string>>();
  for (const [s, r] of kept) refsBySub.set(s, (refsBySub.get(s) ?? new Set()).add(r));
  const subsByRefs = new Map<string, string[]>();
  for (const [s, refs] of refsBySub) {
    const key = [...refs].sort().join("\n");
    subsByRefs.set(key, [...(subsByRefs.get(key) ?? []), s]);
  }
  return [...subsByRefs]
    .map(([key, subs]) => ({ subjects: minimise(subs), workflowRefs: key.split("\n") }))
    .sort((a, b) => (a.subjects[0] ?? "").localeCompare(b.subjects[0] ?? ""));
}

interface Conditions {
  StringEquals: Record<string, string | string[]>;
  StringLike?: Record<string, string | string[]>;
}

const one = (list: string[]): string | string[] => (list.length === 1 ? (list[0] ?? "") : list);

/**
 * `StringEquals` on aud; on sub (and `job_workflow_ref`) `StringEquals` when every value is exact, else
 * `StringLike` holding the exact values and the patterns.
 */
export function trustConditions(t: GeneratedTrust, scope: TrustScope): Conditions {
  const out: Conditions = { StringEquals: { [`${t.issuer}:aud`]: one(t.audiences) } };
  const claims: [string, string[]][] = [
    ["sub", scope.subjects],
    ["job_workflow_ref", scope.workflowRefs],
  ];
  for (const [claim, values] of claims) {
    if (values.length === 0) continue;
    const op = values.some((v) => /[*?]/.test(v)) ? (out.StringLike ??= {}) : out.StringEquals;
    op[`${t.issuer}:${claim}`] = one(values);
  }
  return out;
}

export function policyDocument(t: GeneratedTrust): object {
  return {
    Version: "2012-10-17",
    Statement: t.scopes.map((scope) => ({
      Effect: "Allow",
      Principal: { Federated: t.providerArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: trustConditions(t, scope),
    })),
  };
}

function hclString(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

function hclList(v: string | string[]): string {
  return `[${(Array.isArray(v) ? v : [v]).map(hclString).join(", ")}]`;
}

function tfName(name: string): string {
  const n = name.replace(/[^A-Za-z0-9_-]/g, "_");
  return /^[A-Za-z_]/.test(n) ? n : `role_${n}`;
}

function terraform(t: GeneratedTrust, style: "document" | "jsonencode"): string {
  const name = tfName(t.roleName);
  const conds = t.scopes.map(
    (scope) => Object.entries(trustConditions(t, scope)) as [string, Record<string, string | string[]>][],
  );
  if (style === "jsonencode") {
    const block = (op: string, entries: Record<string, string | string[]>): string =>
      `        ${op} = {\n${Object.entries(entries)
        .map(([k, v]) => `          ${hclString(k)} = ${Array.isArray(v) ? hclList(v) : hclString(v)}`)
        .join("\n")}\n        }`;
    const statements = conds.map(
      (cond) => `{
      Effect    = "Allow"
      Principal = { Federated = ${hclString(t.providerArn)} }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
${cond.map(([op, entries]) => block(op, entries)).join("\n")}
      }
    }`,
    );
    return `resource "aws_iam_role" ${hclString(name)} {
  name = ${hclString(t.roleName)}
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [${statements.join(", ")}]
  })
}
`;
  }
  const statements = conds.map((cond) => {
    const conditions = cond.flatMap(([op, entries]) =>
      Object.entries(entries).map(
        ([k, v]) => `    condition {
      test     = ${hclString(op)}
      variable = ${hclString(k)}
      values   = ${hclList(v)}
    }`,
      ),
    );
    return `  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [${hclString(t.providerArn)}]
    }
${conditions.join("\n")}
  }`;
  });
  return `data "aws_iam_policy_document" ${hclString(`${name}_trust`)} {
${statements.join("\n")}
}

resource "aws_iam_role" ${hclString(name)} {
  name               = ${hclString(t.roleName)}
  assume_role_policy = data.aws_iam_policy_document.${name}_trust.json
}
`;
}

/** A YAML scalar: JSON's double-quoted form is valid YAML. */
const y = (s: string): string => JSON.stringify(s);

function cloudformation(t: GeneratedTrust): string {
  const lines = [
    'AWSTemplateFormatVersion: "2010-09-09"',
    "Resources:",
    `  ${className(t.roleName)}Role:`,
    "    Type: AWS::IAM::Role",
    "    Properties:",
    `      RoleName: ${y(t.roleName)}`,
    "      AssumeRolePolicyDocument:",
    '        Version: "2012-10-17"',
    "        Statement:",
  ];
  for (const scope of t.scopes) {
    lines.push(
      "          - Effect: Allow",
      "            Principal:",
      `              Federated: ${y(t.providerArn)}`,
      "            Action: sts:AssumeRoleWithWebIdentity",
      "            Condition:",
    );
    for (const [op, entries] of Object.entries(trustConditions(t, scope))) {
      lines.push(`              ${op}:`);
      for (const [k, v] of Object.entries(entries as Record<string, string | string[]>)) {
        if (Array.isArray(v)) lines.push(`                ${y(k)}:`, ...v.map((x) => `                  - ${y(x)}`));
        else lines.push(`                ${y(k)}: ${y(v)}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

/** `deploy-prod` → `DeployProd`. */
function className(name: string): string {
  const out = name
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
  return /^[A-Za-z]/.test(out) ? out : `GitHub${out}`;
}

function cdk(t: GeneratedTrust): string {
  const conditions = (scope: TrustScope, indent: string): string =>
    JSON.stringify(trustConditions(t, scope), null, 2).replace(/\n/g, `\n${indent}`);
  const [first, ...more] = t.scopes;
  const arn = JSON.stringify(t.providerArn);
  // The stack's imports, as data (a line starting with `import` here would read as one of oidclint's own).
  const imports = [
    'import { Stack, type StackProps } from "aws-cdk-lib";',
    'import * as iam from "aws-cdk-lib/aws-iam";',
    'import type { Construct } from "constructs";',
  ];
  // Further statements (other pairings of sub and job_workflow_ref) go into the same trust policy.
  const added = more.map(
    (scope) => `
    role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({
        effect: iam.Effect.ALLOW,
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [new iam.FederatedPrincipal(${arn})],
        conditions: ${conditions(scope, "        ")},
      }),
    );`,
  );
  const role = `new iam.Role(this, "Role", {
      roleName: ${JSON.stringify(t.roleName)},
      assumedBy: new iam.WebIdentityPrincipal(${arn}, ${first ? conditions(first, "      ") : "{}"}),
    });`;
  return `${imports.join("\n")}

export class ${className(t.roleName)}RoleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    ${added.length > 0 ? `const role = ${role}${added.join("")}` : role}
  }
}
`;
}

export function renderTrust(
  t: GeneratedTrust,
  format: GenerateFormat,
  style: "document" | "jsonencode" = "document",
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(policyDocument(t), null, 2)}\n`;
    case "terraform":
      return terraform(t, style);
    case "cloudformation":
      return cloudformation(t);
    case "cdk":
      return cdk(t);
  }
}

export async function run(args: string[], io: CliIO): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(USAGE);
    return 0;
  }
  const { values, positionals } = parseOptions(
    args,
    {
      role: { type: "string" },
      format: { type: "string", short: "f" },
      "terraform-style": { type: "string" },
      context: { type: "string", multiple: true },
      config: { type: "string", short: "c" },
      help: { type: "boolean", short: "h" },
    },
    { command: "generate", positionals: { what: "path" } },
  );
  try {
    if (!values.role) throw new GenerateInputError("--role NAME|ARN is required");
    const format = (values.format ?? "json") as GenerateFormat;
    if (!FORMATS.includes(format))
      throw new GenerateInputError(`unknown format "${values.format ?? ""}" (expected ${FORMATS.join(", ")})`);
    const style = values["terraform-style"] ?? "document";
    if (style !== "document" && style !== "jsonencode")
      throw new GenerateInputError(`--terraform-style expects document or jsonencode, got "${style}"`);
    const loaded = await loadProject({
      cwd: io.cwd,
      paths: positionals,
      env: io.env,
      ...(values.context ? { contextPaths: values.context } : {}),
      ...(values.config ? { configFile: values.config } : {}),
    });
    const trust = predictTrust(loaded, values.role);
    for (const n of trust.notes) io.stderr(`oidclint generate: ${n}\n`);
    if (trust.subjects.length === 0) {
      io.stderr(
        trust.jobs.length === 0
          ? `oidclint generate: no job assumes ${values.role} through OIDC in the files read\n`
          : `oidclint generate: no claim of the ${trust.jobs.length} job(s) assuming ${values.role} could be predicted; no policy written\n`,
      );
      return 1;
    }
    io.stdout(renderTrust(trust, format, style));
    return 0;
  } catch (e) {
    if (e instanceof GenerateInputError) throw new UsageError(e.message, "generate");
    throw e;
  }
}

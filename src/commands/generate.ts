import type { ResolvedSettings } from "../config/settings.js";
import { compileIamValue, type Piece } from "../analysis/iam-evaluation.js";
import { jobSituations, type JobSituation } from "../analysis/predicted-claims.js";
import { jobRoleAssumptions, parseRoleArn } from "../analysis/role-assumptions.js";
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
  /** Jobs that assume the role, `workflow file › job`. */
  jobs: string[];
  /** What was left out, and why (one line each). */
  notes: string[];
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

/** The sub values for one situation, or why there are none. */
function subjectsOf(s: JobSituation, immutable: boolean, widened: Set<string>): { values: string[] } | { why: string } {
  if (!s.sub) return { why: s.unknownWhy ?? "the claim is not predictable" };
  let holes: string[] = [""];
  let text = "";
  const expand = (pieces: readonly Piece[]): string | undefined => {
    for (const p of pieces) {
      if (typeof p === "string") text += p;
      else if ("anyCase" in p) text += p.anyCase;
      else if ("oneOf" in p) {
        const form = immutable ? p.oneOf[p.oneOf.length - 1] : p.oneOf[0];
        const why = expand(form ?? []);
        if (why) return why;
      } else if ("run" in p)
        return "the repository (or its ids) is not known: set `repository` in .oidclintrc.json or GITHUB_REPOSITORY";
      else {
        const h = s.holes;
        if (!h?.include)
          return `${s.event} runs from any ${s.kind === "tag" ? "tag" : "branch"}: give the job an \`environment\` or a \`branches\`/\`tags\` filter`;
        if ((h.ignore ?? []).length > 0 || (h.prefixes ?? []).length > 0)
          return "an ignore list or an `if:` prefix narrows the names in a way IAM cannot express";
        const patterns = h.include.map(filterToIam);
        if (patterns.some((x) => x === undefined))
          return `the filter ${h.include.map((x) => `\`${x}\``).join(", ")} uses syntax IAM cannot express (\`!\`, \`?\`, \`+\`, \`[…]\`)`;
        for (const x of h.include) if (/(^|[^*])\*(?!\*)/.test(x)) widened.add(x);
        holes = patterns.map((x) => (x ?? "").replace(/:/g, "%3A"));
        text += "\u0000";
      }
    }
    return undefined;
  };
  const why = expand(s.sub);
  if (why) return { why };
  return { values: holes.map((h) => text.replace("\u0000", h)) };
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

export function predictTrust(loaded: LoadedProject, role: string): GeneratedTrust {
  const { project, index, config } = loaded;
  const settings: ResolvedSettings = config.settings;
  const ids = settings as ResolvedSettings & { repositoryOwnerId?: string; repositoryId?: string };
  const immutable = ids.repositoryOwnerId !== undefined && ids.repositoryId !== undefined;
  const audiences: string[] = [];
  const subjects: string[] = [];
  const jobs: string[] = [];
  const notes: string[] = [];
  let account: string | undefined;
  let partition = "aws";
  /** Filter patterns with a single `*`, which stops at `/` in GitHub's filters but not in IAM. */
  const widened = new Set<string>();
  for (const wf of project.workflows) {
    for (const job of wf.jobs) {
      for (const a of jobRoleAssumptions(index, settings, wf, job)) {
        const where = `${wf.file} › ${job.id.value}`;
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
        for (const s of jobSituations(wf, job, settings, a.step)) {
          const out = subjectsOf(s, immutable, widened);
          if ("why" in out) notes.push(`${where} (${s.event}): ${out.why}; left out`);
          else {
            subjects.push(...out.values);
            audiences.push(aud);
          }
        }
      }
    }
  }
  const roleName = role.startsWith("arn:") ? role.slice(role.lastIndexOf("/") + 1) : role;
  for (const p of widened)
    notes.push(
      `the filter \`${p}\` stops at \`/\` in GitHub, IAM's \`*\` does not: the policy also accepts names below it (\`${p.replace("*", "x/y")}\`)`,
    );
  if (!account && jobs.length > 0)
    notes.push("no job names the role by a literal ARN: ACCOUNT_ID stands for the account in the provider ARN");
  return {
    roleName,
    providerArn: `arn:${partition}:iam::${account ?? "ACCOUNT_ID"}:oidc-provider/${settings.issuer}`,
    issuer: settings.issuer,
    audiences: [...new Set(audiences)].sort(),
    subjects: minimise(subjects),
    jobs,
    notes,
  };
}

interface Conditions {
  StringEquals: Record<string, string | string[]>;
  StringLike?: Record<string, string | string[]>;
}

const one = (list: string[]): string | string[] => (list.length === 1 ? (list[0] ?? "") : list);

/** `StringEquals` on aud (and on sub when every value is exact), else `StringLike` on sub. */
export function trustConditions(t: GeneratedTrust): Conditions {
  const aud = `${t.issuer}:aud`;
  const sub = `${t.issuer}:sub`;
  const patterns = t.subjects.some((s) => /[*?]/.test(s));
  if (!patterns) return { StringEquals: { [aud]: one(t.audiences), [sub]: one(t.subjects) } };
  return { StringEquals: { [aud]: one(t.audiences) }, StringLike: { [sub]: one(t.subjects) } };
}

export function policyDocument(t: GeneratedTrust): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: t.providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: trustConditions(t),
      },
    ],
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
  const cond = trustConditions(t);
  if (style === "jsonencode") {
    const block = (op: string, entries: Record<string, string | string[]>): string =>
      `        ${op} = {\n${Object.entries(entries)
        .map(([k, v]) => `          ${hclString(k)} = ${Array.isArray(v) ? hclList(v) : hclString(v)}`)
        .join("\n")}\n        }`;
    return `resource "aws_iam_role" ${hclString(name)} {
  name = ${hclString(t.roleName)}
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = ${hclString(t.providerArn)} }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
${Object.entries(cond)
  .map(([op, entries]) => block(op, entries as Record<string, string | string[]>))
  .join("\n")}
      }
    }]
  })
}
`;
  }
  const conditions = Object.entries(cond).flatMap(([op, entries]) =>
    Object.entries(entries as Record<string, string | string[]>).map(
      ([k, v]) => `    condition {
      test     = ${hclString(op)}
      variable = ${hclString(k)}
      values   = ${hclList(v)}
    }`,
    ),
  );
  return `data "aws_iam_policy_document" ${hclString(`${name}_trust`)} {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [${hclString(t.providerArn)}]
    }
${conditions.join("\n")}
  }
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
  const cond = trustConditions(t);
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
    "          - Effect: Allow",
    "            Principal:",
    `              Federated: ${y(t.providerArn)}`,
    "            Action: sts:AssumeRoleWithWebIdentity",
    "            Condition:",
  ];
  for (const [op, entries] of Object.entries(cond)) {
    lines.push(`              ${op}:`);
    for (const [k, v] of Object.entries(entries as Record<string, string | string[]>)) {
      if (Array.isArray(v)) lines.push(`                ${y(k)}:`, ...v.map((x) => `                  - ${y(x)}`));
      else lines.push(`                ${y(k)}: ${y(v)}`);
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
  const cond = JSON.stringify(trustConditions(t), null, 2).replace(/\n/g, "\n      ");
  // The stack's imports, as data (a line starting with `import` here would read as one of oidclint's own).
  const imports = [
    'import { Stack, type StackProps } from "aws-cdk-lib";',
    'import * as iam from "aws-cdk-lib/aws-iam";',
    'import type { Construct } from "constructs";',
  ];
  return `${imports.join("\n")}

export class ${className(t.roleName)}RoleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    new iam.Role(this, "Role", {
      roleName: ${JSON.stringify(t.roleName)},
      assumedBy: new iam.WebIdentityPrincipal(${JSON.stringify(t.providerArn)}, ${cond}),
    });
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

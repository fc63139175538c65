import { resolve } from "node:path";
import type { ResolvedSettings } from "../config/settings.js";
import { relPath } from "../engine/discover.js";
import { loadProject, projectRootOf, type LoadedProject } from "../engine/load-project.js";
import { conditionLabel, describeHole, jobSituations, renderSub } from "../analysis/predicted-claims.js";
import { audienceOf, projectRoles, verdictText, type RoleEntry } from "../analysis/job-trust.js";
import { effectivePermissions, jobNeed, jobOidcUses } from "../analysis/token-use.js";
import type { ProjectIndex } from "../analysis/project-index.js";
import { jobRoleAssumptions, resolveRole, type RoleAssumption } from "../analysis/role-assumptions.js";
import { displayText, knownText, type StrValue } from "../model/value.js";
import { describeCombination } from "../analysis/workflow-values.js";
import type { Job, Workflow } from "../model/workflow.js";
import { painter, printLines, visible, type Paint } from "../formatters/terminal.js";
import { DIAGNOSTIC_OPTIONS, parseOptions, textOrJson, wantsHelp } from "./args.js";
import type { CliIO } from "./io.js";

/**
 * `oidclint explain WORKFLOW [--job NAME]`: per job and trigger, the sub and aud claims GitHub would
 * send, whether the job gets a token at all, and which roles defined in the linted files (the working
 * directory) would accept it.
 */

const HELP = `Usage: oidclint explain WORKFLOW [--job NAME] [options]

What does each job of a workflow send to AWS? Per job and trigger: whether the job gets an OIDC token
(id-token: write and where it comes from), the sub and aud claims GitHub would put in it, and which roles
of the repository accept or refuse them. The workflow's repository (the directory holding .github/) is read
whole, wherever you run explain from.

Options:
      --job NAME           only this job (its id or its name)
  -f, --format NAME        text (default) or json
      --context PATH       also read roles from PATH (e.g. an infrastructure repository checked out beside
                           this one); repeatable
  -c, --config FILE        use this config instead of the repository's .oidclintrc.json
      --no-color           no colours
  -h, --help               show this help

Examples:
  oidclint explain .github/workflows/deploy.yml
  oidclint explain .github/workflows/deploy.yml --job release
  oidclint explain .github/workflows/deploy.yml --context ../infra
  oidclint explain .github/workflows/deploy.yml --format json

Exit codes: 0 explained, 2 usage error or a workflow that cannot be read.
`;

class ExplainInputError extends Error {}

/** One role a job assumes, as explain shows it. */
interface AssumedRole {
  role: string;
  origin?: string;
  /** Where the linted files define it (labels); empty when they do not. */
  definedBy: string[];
  /** `unknown`: an expression oidclint cannot read. */
  status: "defined" | "undefined" | "unknown";
}

/** One trigger (or branch/tag family of it) of a job: the claims and which roles take them. */
interface ExplainSituation {
  event: string;
  /** What the sub is made of: \`branch\`, \`tag\`, \`environment\`, \`pull_request\` … or \`unknown\`. */
  kind: string;
  description?: string;
  /** The sub claim, `<branch>`/`<tag>` standing for a family of names; null when it cannot be predicted. */
  sub: string | null;
  unknownWhy?: string;
  /** What `<branch>`/`<tag>` ranges over. */
  names?: string;
  aud: string;
  acceptedBy: { role: string; onlyFor?: string[] }[];
  refusedBy: { role: string; example?: string }[];
  /** Roles the job assumes that refuse these claims (an AccessDenied at run time). */
  assumedRefusedBy: { role: string; example?: string }[];
}

interface ExplainVariant {
  /** The matrix combination, when the matrix feeds the role, the audience or the environment. */
  matrix?: string;
  assumes: AssumedRole[];
  noTriggers: boolean;
  /** Triggers the job's or step's `if:` excludes, and which `if:` that is. */
  excluded?: { events: string[]; by: string };
  situations: ExplainSituation[];
}

interface ExplainJob {
  id: string;
  name?: string;
  environment?: string;
  /** `no`: the job requests no OIDC token. */
  needsToken: "yes" | "maybe" | "no";
  idToken: { effective: "write" | "unknown" | "none"; from: "job" | "workflow" | "caller" | "default" };
  variants: ExplainVariant[];
}

function explainJob(
  wf: Workflow,
  job: Job,
  index: ProjectIndex,
  settings: ResolvedSettings,
  roles: RoleEntry[],
): ExplainJob {
  const need = jobNeed(jobOidcUses({ index, settings }, job, wf));
  const eff = effectivePermissions(job, wf);
  const out: ExplainJob = {
    id: job.id.value,
    ...(job.name ? { name: job.name.value } : {}),
    ...(job.environment ? { environment: displayText(job.environment) } : {}),
    needsToken: need,
    idToken: {
      effective: eff.idToken === "write" || eff.idToken === "unknown" ? eff.idToken : "none",
      from: eff.source,
    },
    variants: [],
  };
  if (need === "no") return out;
  const all = jobRoleAssumptions(index, settings, wf, job);
  // With a matrix that feeds the role, audience or environment: one variant per combination.
  const groups = new Map<ReadonlyMap<string, StrValue> | undefined, RoleAssumption[]>();
  for (const a of all) groups.set(a.matrix, [...(groups.get(a.matrix) ?? []), a]);
  if (groups.size === 0) groups.set(undefined, []);
  for (const [matrix, assumptions] of groups) {
    out.variants.push({
      ...(matrix ? { matrix: describeCombination(matrix) } : {}),
      ...explainVariant(wf, assumptions[0]?.job ?? job, assumptions, index, settings, roles),
    });
  }
  return out;
}

function explainVariant(
  wf: Workflow,
  job: Job,
  assumptions: RoleAssumption[],
  index: ProjectIndex,
  settings: ResolvedSettings,
  roles: RoleEntry[],
): Omit<ExplainVariant, "matrix"> {
  const assumes = assumptions.map((a): AssumedRole => {
    const resolved = resolveRole(a.role, index);
    const known = knownText(a.role) !== undefined || resolved.length > 0;
    return {
      role: displayText(a.role),
      ...(a.role.origin ? { origin: a.role.origin } : {}),
      definedBy: resolved.map((r) => r.label),
      status: resolved.length > 0 ? "defined" : known ? "undefined" : "unknown",
    };
  });
  const aud = audienceOf(assumptions[0]);
  // The token is requested by the assuming step: its `if:` narrows the runs too (when all assuming steps are one).
  const step =
    assumptions.length > 0 && assumptions.every((a) => a.step === assumptions[0]?.step)
      ? assumptions[0]?.step
      : undefined;
  const situations = jobSituations(wf, job, settings, step);
  // Triggers the job's `if:` rules out are named once, not explained.
  const excluded = [
    ...new Set(wf.triggers.filter((t) => !situations.some((s) => s.trigger === t)).map((t) => t.event.value)),
  ];
  return {
    assumes,
    noTriggers: wf.triggers.length === 0,
    ...(excluded.length > 0 ? { excluded: { events: excluded, by: conditionLabel(job, step) } } : {}),
    situations: situations.map((s): ExplainSituation => {
      const base = {
        event: s.event,
        kind: s.kind,
        ...(s.description ? { description: s.description } : {}),
        aud: aud.text,
      };
      if (s.kind === "unknown")
        return {
          ...base,
          sub: null,
          unknownWhy: s.unknownWhy ?? "unknown",
          acceptedBy: [],
          refusedBy: [],
          assumedRefusedBy: [],
        };
      const hole = s.kind === "branch" || s.kind === "tag" ? describeHole(s) : undefined;
      const acceptedBy: ExplainSituation["acceptedBy"] = [];
      const refusedBy: ExplainSituation["refusedBy"] = [];
      for (const r of roles) {
        const v = verdictText(s, r, aud.value, settings);
        if (v === "accepts") acceptedBy.push({ role: r.label });
        else if (v !== "unknown" && v.acceptedNames.length > 0)
          acceptedBy.push({ role: r.label, onlyFor: v.acceptedNames });
        else if (v !== "unknown") refusedBy.push({ role: r.label, ...(v.refused ? { example: v.refused } : {}) });
      }
      const assumedRefusedBy: ExplainSituation["assumedRefusedBy"] = [];
      for (const a of assumptions) {
        for (const r of resolveRole(a.role, index)) {
          const v = verdictText(s, r, aud.value, settings);
          if (typeof v === "object")
            assumedRefusedBy.push({ role: r.label, ...(v.refused ? { example: v.refused } : {}) });
        }
      }
      return {
        ...base,
        sub: renderSub(s),
        ...(hole ? { names: hole } : {}),
        acceptedBy,
        refusedBy,
        assumedRefusedBy,
      };
    }),
  };
}

const SOURCE_TEXT = {
  job: "the job's `permissions`",
  workflow: "the workflow's `permissions`",
  caller: "its caller (reusable workflow)",
  default: "the repository default",
} as const;

function tokenLine(j: ExplainJob, paint: Paint): string {
  const where = SOURCE_TEXT[j.idToken.from];
  const grant =
    j.idToken.effective === "write"
      ? paint.green(`id-token: write is effective (from ${where})`)
      : j.idToken.effective === "unknown"
        ? paint.yellow(`id-token: depends on ${where}`)
        : `${j.needsToken === "yes" ? "✖ " : ""}id-token: write is NOT granted (${where} ${j.idToken.from === "default" ? "never includes it" : "leaves it out"})`;
  const needs =
    j.needsToken === "yes" ? "needs a token" : j.needsToken === "maybe" ? "may need a token" : "requests no OIDC token";
  return `${grant}; the job ${needs}`;
}

/** The text of one job's explanation. */
function jobLines(j: ExplainJob, hasRoles: boolean, paint: Paint): string[] {
  const lines = ["", paint.bold(`Job ${j.id}${j.environment ? `  (environment: ${j.environment})` : ""}`)];
  if (j.needsToken === "no") {
    const granted = j.idToken.effective === "write";
    lines.push(`  requests no OIDC token${granted ? paint.dim(" (`id-token: write` is granted all the same)") : ""}`);
    return lines;
  }
  lines.push(`  ${tokenLine(j, paint)}`);
  for (const v of j.variants) {
    if (v.matrix) lines.push(paint.bold(`  matrix ${v.matrix}`));
    lines.push(...variantLines(v, hasRoles, paint).map((l) => (v.matrix ? `  ${l}` : l)));
  }
  return lines;
}

function variantLines(v: ExplainVariant, hasRoles: boolean, paint: Paint): string[] {
  const lines: string[] = [];
  for (const a of v.assumes) {
    const target =
      a.status === "defined"
        ? `defined by ${a.definedBy.join(", ")}`
        : a.status === "undefined"
          ? "not defined in the linted files"
          : "unknown (an expression): nothing is claimed about it";
    lines.push(`  assumes ${a.role}${a.origin ? paint.dim(` (from ${a.origin})`) : ""} — ${target}`);
  }
  if (v.noTriggers) lines.push(paint.dim("  (the workflow has no triggers)"));
  if (v.excluded)
    lines.push(
      paint.dim(
        `  not on ${v.excluded.events.join(", ")}: ${v.excluded.by} excludes ${v.excluded.events.length === 1 ? "it" : "them"}`,
      ),
    );
  for (const s of v.situations) {
    lines.push(`  on ${s.event}${s.description ? `: ${s.description}` : ""}`);
    if (s.sub === null) {
      lines.push(paint.dim(`    sub  cannot be predicted: ${s.unknownWhy ?? "unknown"}`));
      continue;
    }
    lines.push(
      `    sub  ${s.sub}${s.names ? paint.dim(`  (${s.kind === "tag" ? "<tag>" : "<branch>"}: ${s.names})`) : ""}`,
    );
    lines.push(`    aud  ${s.aud}`);
    const accepting = s.acceptedBy.map((a) =>
      a.onlyFor ? `${a.role}, only for ${a.onlyFor.map((n) => `\`${n}\``).join(", ")}` : a.role,
    );
    if (accepting.length > 0) lines.push(paint.green(`    accepted by: ${accepting.join("; ")}`));
    else
      lines.push(
        hasRoles
          ? paint.red("    accepted by: none of the linted roles")
          : paint.dim("    accepted by: (no role trusting GitHub in the linted files)"),
      );
    for (const r of s.assumedRefusedBy)
      lines.push(
        paint.red(
          `    ✖ the assumed role ${r.role} refuses this${r.example ? ` (e.g. ${s.kind === "tag" ? "tag" : "branch"} \`${r.example}\`)` : ""}: AccessDenied`,
        ),
      );
    if (s.refusedBy.length > 0 && accepting.length === 0 && v.assumes.length === 0)
      lines.push(
        paint.dim(
          `    refused by: ${s.refusedBy.map((r) => `${r.role}${r.example ? ` (refuses e.g. \`${r.example}\`)` : ""}`).join("; ")}`,
        ),
      );
  }
  return lines;
}

/**
 * The workflow's repository, loaded whole: its root (the directory holding `.github/`, wherever explain
 * runs from) and its config. A file that cannot be read there is named, not dropped.
 */
async function loadWorkflowProject(
  io: CliIO,
  workflowPath: string,
  options: { config?: string | undefined; context?: string[] | undefined },
): Promise<LoadedProject & { workflowFile: string }> {
  const abs = resolve(io.cwd, workflowPath);
  const root = projectRootOf(abs) ?? io.cwd;
  const loaded = await loadProject({
    cwd: io.cwd,
    root,
    paths: [root, abs],
    ...(options.config ? { configFile: options.config } : {}),
    ...(options.context ? { contextPaths: options.context } : {}),
    env: io.env,
  });
  return { ...loaded, workflowFile: relPath(root, abs) };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(HELP);
    return 0;
  }
  const { values, positionals } = parseOptions(
    args,
    {
      job: { type: "string" },
      ...DIAGNOSTIC_OPTIONS,
    },
    { command: "explain", positionals: { min: 1, max: 1, what: "workflow file" } },
  );
  const format = textOrJson(values.format, "explain");
  try {
    const { project, index, config, workflowFile } = await loadWorkflowProject(io, positionals[0] ?? "", values);
    const settings = config.settings;
    const file = project.files.find((f) => f.file === workflowFile);
    const problem = file?.problems[0];
    if (problem)
      throw new ExplainInputError(`${problem.loc.file}:${problem.loc.line}:${problem.loc.column}: ${problem.message}`);
    // Roles in a file that could not be read are missing from the answer: say which files those are.
    const notRead = project.files.flatMap((f) => (f === file ? [] : f.problems));
    for (const p of notRead) {
      io.stderr(
        `oidclint explain: not read: ${visible(`${p.loc.file}:${p.loc.line}:${p.loc.column}: ${p.message}`)}\n`,
      );
    }
    const wf = project.workflows.find((w) => w.file === workflowFile);
    if (!wf)
      throw new ExplainInputError(
        `${positionals[0] ?? ""} is not a GitHub workflow (expected a file under .github/workflows/)`,
      );
    const jobs =
      values.job === undefined
        ? wf.jobs
        : wf.jobs.filter((j) => j.id.value === values.job || j.name?.value === values.job);
    if (jobs.length === 0)
      throw new ExplainInputError(
        values.job === undefined
          ? `${workflowFile} has no jobs`
          : `no job \`${values.job}\` in ${workflowFile} (jobs: ${wf.jobs.map((j) => j.id.value).join(", ")})`,
      );
    const roles = projectRoles(project, settings);
    const explained = jobs.map((job) => explainJob(wf, job, index, settings, roles));
    if (format === "json") {
      const out = {
        workflow: workflowFile,
        repository: settings.repository ?? null,
        defaultBranch: settings.defaultBranch,
        subClaimTemplate: settings.subClaimTemplate,
        roles: roles.map((r) => ({ role: r.label, file: r.loc.file, line: r.loc.line, column: r.loc.column })),
        notRead: notRead.map((p) => ({ file: p.loc.file, line: p.loc.line, column: p.loc.column, message: p.message })),
        jobs: explained,
      };
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    const paint = painter(!values["no-color"] && io.isTTY && !io.env.NO_COLOR);
    const lines: string[] = [paint.bold(workflowFile)];
    lines.push(
      paint.dim(
        `repository ${settings.repository ?? "unknown (set \`repository\` in .oidclintrc.json)"}, default branch ${settings.defaultBranch}, sub template ${settings.subClaimTemplate.join(", ")}`,
      ),
    );
    for (const j of explained) lines.push(...jobLines(j, roles.length > 0, paint));
    io.stdout(printLines(paint, lines));
    return 0;
  } catch (e) {
    if (e instanceof ExplainInputError) {
      io.stderr(`oidclint explain: ${visible(e.message)}\n`);
      return 2;
    }
    throw e;
  }
}

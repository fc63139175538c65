import { resolve } from "node:path";
import { parseArgs } from "node:util";
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
import type { CliIO } from "./io.js";

/**
 * `oidclint explain WORKFLOW [--job NAME]`: per job and trigger, the sub and aud claims GitHub would
 * send, whether the job gets a token at all, and which roles defined in the linted files (the working
 * directory) would accept it.
 */

const USAGE = "Usage: oidclint explain WORKFLOW [--job NAME] [--config FILE] [--no-color]\n";

class ExplainInputError extends Error {}

function tokenLine(job: Job, wf: Workflow, index: ProjectIndex, settings: ResolvedSettings, paint: Paint): string {
  const uses = jobOidcUses({ index, settings }, job, wf);
  const need = jobNeed(uses);
  const eff = effectivePermissions(job, wf);
  const where =
    eff.source === "job"
      ? "the job's `permissions`"
      : eff.source === "workflow"
        ? "the workflow's `permissions`"
        : eff.source === "caller"
          ? "its caller (reusable workflow)"
          : "the repository default";
  const grant =
    eff.idToken === "write"
      ? paint.green(`id-token: write is effective (from ${where})`)
      : eff.idToken === "unknown"
        ? paint.yellow(`id-token: depends on ${where}`)
        : `${need === "yes" ? "✖ " : ""}id-token: write is NOT granted (${where} ${eff.source === "default" ? "never includes it" : "leaves it out"})`;
  const needs = need === "yes" ? "needs a token" : need === "maybe" ? "may need a token" : "requests no OIDC token";
  return `${grant}; the job ${needs}`;
}

function explainJob(
  wf: Workflow,
  job: Job,
  index: ProjectIndex,
  settings: ResolvedSettings,
  roles: RoleEntry[],
  paint: Paint,
): string[] {
  const lines: string[] = [];
  lines.push(
    "",
    paint.bold(`Job ${job.id.value}${job.environment ? `  (environment: ${displayText(job.environment)})` : ""}`),
  );
  if (jobNeed(jobOidcUses({ index, settings }, job, wf)) === "no") {
    const granted = effectivePermissions(job, wf).idToken === "write";
    lines.push(`  requests no OIDC token${granted ? paint.dim(" (`id-token: write` is granted all the same)") : ""}`);
    return lines;
  }
  lines.push(`  ${tokenLine(job, wf, index, settings, paint)}`);
  const all = jobRoleAssumptions(index, settings, wf, job);
  // With a matrix that feeds the role, audience or environment: one section per combination.
  const groups = new Map<ReadonlyMap<string, StrValue> | undefined, RoleAssumption[]>();
  for (const a of all) groups.set(a.matrix, [...(groups.get(a.matrix) ?? []), a]);
  if (groups.size === 0) groups.set(undefined, []);
  for (const [matrix, assumptions] of groups) {
    if (matrix) lines.push(paint.bold(`  matrix ${describeCombination(matrix)}`));
    lines.push(
      ...explainVariant(wf, assumptions[0]?.job ?? job, assumptions, index, settings, roles, paint).map((l) =>
        matrix ? `  ${l}` : l,
      ),
    );
  }
  return lines;
}

function explainVariant(
  wf: Workflow,
  job: Job,
  assumptions: RoleAssumption[],
  index: ProjectIndex,
  settings: ResolvedSettings,
  roles: RoleEntry[],
  paint: Paint,
): string[] {
  const lines: string[] = [];
  for (const a of assumptions) {
    const resolved = resolveRole(a.role, index);
    const known = knownText(a.role) !== undefined || resolved.length > 0;
    const target =
      resolved.length > 0
        ? `defined by ${resolved.map((r) => r.label).join(", ")}`
        : known
          ? "not defined in the linted files"
          : "unknown (an expression): nothing is claimed about it";
    lines.push(
      `  assumes ${displayText(a.role)}${a.role.origin ? paint.dim(` (from ${a.role.origin})`) : ""} — ${target}`,
    );
  }
  const use = assumptions[0];
  const aud = audienceOf(use);
  // The token is requested by the assuming step: its `if:` narrows the runs too (when all assuming steps are one).
  const step =
    assumptions.length > 0 && assumptions.every((a) => a.step === assumptions[0]?.step)
      ? assumptions[0]?.step
      : undefined;
  const situations = jobSituations(wf, job, settings, step);
  if (wf.triggers.length === 0) lines.push(paint.dim("  (the workflow has no triggers)"));
  // Triggers the job's `if:` rules out are named once, not explained.
  const excluded = [
    ...new Set(wf.triggers.filter((t) => !situations.some((s) => s.trigger === t)).map((t) => t.event.value)),
  ];
  if (excluded.length > 0)
    lines.push(
      paint.dim(
        `  not on ${excluded.join(", ")}: ${conditionLabel(job, step)} excludes ${excluded.length === 1 ? "it" : "them"}`,
      ),
    );
  for (const s of situations) {
    lines.push(`  on ${s.event}${s.description ? `: ${s.description}` : ""}`);
    if (s.kind === "unknown") {
      lines.push(paint.dim(`    sub  cannot be predicted: ${s.unknownWhy ?? "unknown"}`));
      continue;
    }
    const hole = s.kind === "branch" || s.kind === "tag" ? describeHole(s) : undefined;
    lines.push(
      `    sub  ${renderSub(s)}${hole ? paint.dim(`  (${s.kind === "tag" ? "<tag>" : "<branch>"}: ${hole})`) : ""}`,
    );
    lines.push(`    aud  ${aud.text}`);
    const accepting: string[] = [];
    const refusing: string[] = [];
    for (const r of roles) {
      const v = verdictText(s, r, aud.value, settings);
      if (v === "accepts") accepting.push(r.label);
      else if (v !== "unknown" && v.acceptedNames.length > 0)
        accepting.push(`${r.label}, only for ${v.acceptedNames.map((n) => `\`${n}\``).join(", ")}`);
      else if (v !== "unknown") refusing.push(`${r.label}${v.refused ? ` (refuses e.g. \`${v.refused}\`)` : ""}`);
    }
    if (accepting.length > 0) lines.push(paint.green(`    accepted by: ${accepting.join("; ")}`));
    else
      lines.push(
        roles.length === 0
          ? paint.dim("    accepted by: (no role trusting GitHub in the linted files)")
          : paint.red("    accepted by: none of the linted roles"),
      );
    for (const a of assumptions) {
      const resolved = resolveRole(a.role, index);
      for (const r of resolved) {
        const v = verdictText(s, r, aud.value, settings);
        if (typeof v === "object")
          lines.push(
            paint.red(
              `    ✖ the assumed role ${r.label} refuses this${v.refused ? ` (e.g. ${s.kind === "tag" ? "tag" : "branch"} \`${v.refused}\`)` : ""}: AccessDenied`,
            ),
          );
      }
    }
    if (refusing.length > 0 && accepting.length === 0 && assumptions.length === 0)
      lines.push(paint.dim(`    refused by: ${refusing.join("; ")}`));
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
  configFile: string | undefined,
): Promise<LoadedProject & { workflowFile: string }> {
  const abs = resolve(io.cwd, workflowPath);
  const root = projectRootOf(abs) ?? io.cwd;
  const loaded = await loadProject({
    cwd: io.cwd,
    root,
    paths: [root, abs],
    ...(configFile ? { configFile } : {}),
    env: io.env,
  });
  return { ...loaded, workflowFile: relPath(root, abs) };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  let parsedArgs;
  try {
    parsedArgs = parseArgs({
      args,
      allowPositionals: true,
      options: {
        job: { type: "string" },
        config: { type: "string", short: "c" },
        "no-color": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    io.stderr(`oidclint explain: ${visible((e as Error).message)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsedArgs;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  try {
    if (positionals.length !== 1 || !positionals[0]) throw new ExplainInputError("give exactly one workflow file");
    const { project, index, config, workflowFile } = await loadWorkflowProject(io, positionals[0], values.config);
    const settings = config.settings;
    const file = project.files.find((f) => f.file === workflowFile);
    const problem = file?.problems[0];
    if (problem)
      throw new ExplainInputError(`${problem.loc.file}:${problem.loc.line}:${problem.loc.column}: ${problem.message}`);
    // Roles in a file that could not be read are missing from the answer: say which files those are.
    for (const p of project.files.flatMap((f) => (f === file ? [] : f.problems))) {
      io.stderr(
        `oidclint explain: not read: ${visible(`${p.loc.file}:${p.loc.line}:${p.loc.column}: ${p.message}`)}\n`,
      );
    }
    const wf = project.workflows.find((w) => w.file === workflowFile);
    if (!wf)
      throw new ExplainInputError(
        `${positionals[0]} is not a GitHub workflow (expected a file under .github/workflows/)`,
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
    const paint = painter(!values["no-color"] && io.isTTY && !io.env.NO_COLOR);
    const roles = projectRoles(project, settings);
    const lines: string[] = [paint.bold(workflowFile)];
    lines.push(
      paint.dim(
        `repository ${settings.repository ?? "unknown (set \`repository\` in .oidclintrc.json)"}, default branch ${settings.defaultBranch}, sub template ${settings.subClaimTemplate.join(", ")}`,
      ),
    );
    for (const job of jobs) lines.push(...explainJob(wf, job, index, settings, roles, paint));
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

import { basename } from "node:path";
import { emptyParsed, type ParsedFile } from "../model/project.js";
import { parsePolicyJson } from "./json-policy.js";
import { isProgramPath, isPulumiYamlPath, PROGRAM_GLOBS } from "./program/discovery.js";
import type { ParseEnv, SourceFile } from "./source.js";
import { parseJsonSource, yamlToTree } from "./yaml-source.js";

/** How a path is read. Content decides the rest: a `.json` may be a policy, a template, a plan or nothing. */
export type InputKind = "terraform" | "json" | "yaml" | "program" | "none";

export function inputKind(path: string): InputKind {
  if (/\.(tf|tfvars)(\.json)?$/.test(path)) return "terraform";
  if (/\.(json|template)$/.test(path)) return "json";
  if (/\.ya?ml$/.test(path)) return "yaml";
  if (isProgramPath(path)) return "program";
  return "none";
}

/** The globs discovery uses for a directory. */
export const INPUT_GLOBS = ["**/*.tf", "**/*.tf.json", "**/*.tfvars", "**/*.tfvars.json", "**/*.json", "**/*.template", "**/*.yml", "**/*.yaml", ...PROGRAM_GLOBS];

/** Never inputs, wherever they are: dependency and tool folders, CDK's bookkeeping and assets. */
export const ALWAYS_IGNORED = [
  "**/node_modules/**",
  "**/.git/**",
  "**/.terraform/**",
  "**/cdk.out/asset.*/**",
  "**/cdk.out/tree.json",
  "**/cdk.out/manifest.json",
  "**/cdk.out/*.assets.json",
  "**/package.json",
  "**/package-lock.json",
  "**/tsconfig*.json",
];

const CFN_JSON = /"AWSTemplateFormatVersion"|"Type"\s*:\s*"AWS::/;
const CFN_YAML = /^\s*["']?AWSTemplateFormatVersion["']?\s*:|^\s*Type:\s*["']?AWS::|^Transform:\s*["']?AWS::Serverless/m;
/** `terraform show -json` of a plan (`planned_values`) or of a state (`values.root_module`). */
const PLAN_JSON = /"planned_values"|"resource_changes"|"root_module"/;
const POLICY_JSON = /"(Statement|AssumeRolePolicyDocument|ClientIDList)"/;

function isWorkflowPath(path: string): boolean {
  return /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}

function isActionPath(path: string): boolean {
  return /^action\.ya?ml$/.test(basename(path));
}

/** Parses one JSON or YAML file. Terraform files go through `parseTerraform` as a module. */
export async function parseDocumentFile(src: SourceFile, env: ParseEnv): Promise<ParsedFile | undefined> {
  const kind = inputKind(src.path);
  if (kind === "json") {
    if (PLAN_JSON.test(src.text) && src.text.includes('"terraform_version"')) {
      const { parseTerraformPlan } = await import("./terraform/plan.js");
      return parseTerraformPlan(src, env);
    }
    // `.template` is also CloudFormation's old extension for YAML templates.
    if (CFN_JSON.test(src.text) || (!/^\s*[{[]/.test(src.text) && CFN_YAML.test(src.text))) {
      const { parseCloudFormation } = await import("./cloudformation/index.js");
      const template = parseCloudFormation(src, env);
      if (template) return template;
    }
    if (!POLICY_JSON.test(src.text)) return undefined;
    const parsed = parseJsonSource(src.path, src.text);
    if (parsed.problems.length > 0) return withProblems(src, "json-policy", parsed.problems);
    return parsePolicyJson(src, yamlToTree(parsed.doc.contents, parsed.index));
  }
  if (kind === "yaml") {
    if (isWorkflowPath(src.path)) {
      const { parseWorkflow } = await import("./workflow/index.js");
      return parseWorkflow(src, env);
    }
    if (isActionPath(src.path)) {
      const { parseAction } = await import("./workflow/index.js");
      return parseAction(src, env);
    }
    if (CFN_YAML.test(src.text)) {
      const { parseCloudFormation } = await import("./cloudformation/index.js");
      return parseCloudFormation(src, env);
    }
    if (isPulumiYamlPath(src.path) && /\bresources\s*:/.test(src.text)) {
      const { parsePulumiYaml } = await import("./program/pulumi-yaml.js");
      return parsePulumiYaml(src);
    }
  }
  return undefined;
}

export function withProblems(src: SourceFile, format: string, problems: ParsedFile["problems"]): ParsedFile {
  const out = emptyParsed(src.path, format);
  out.problems.push(...problems);
  return out;
}

/** Parses every input; one file's failure never stops the others. */
export async function parseAll(sources: SourceFile[], env: ParseEnv): Promise<ParsedFile[]> {
  const out: ParsedFile[] = [];
  const terraform: SourceFile[] = [];
  const programs: SourceFile[] = [];
  for (const src of sources) {
    const kind = inputKind(src.path);
    if (kind === "terraform" || kind === "program") {
      (kind === "terraform" ? terraform : programs).push(src);
      continue;
    }
    const parsed = await guarded(src, () => parseDocumentFile(src, env));
    if (parsed) out.push(parsed);
  }
  if (terraform.length > 0) {
    const { parseTerraform } = await import("./terraform/index.js");
    try {
      out.push(...(await parseTerraform(terraform, env)));
    } catch (e) {
      for (const src of terraform) out.push(internalProblem(src, e));
    }
  }
  if (programs.length > 0) {
    const { parsePrograms, preferProgramSource } = await import("./program/index.js");
    try {
      const parsed = await parsePrograms(programs, env);
      return preferProgramSource([...out, ...parsed]);
    } catch (e) {
      for (const src of programs) out.push(internalProblem(src, e));
    }
  }
  return out;
}

async function guarded(src: SourceFile, fn: () => Promise<ParsedFile | undefined>): Promise<ParsedFile | undefined> {
  try {
    return await fn();
  } catch (e) {
    return internalProblem(src, e);
  }
}

/** A parser bug must not take the run down: it becomes a finding on the file (stack under OIDCLINT_DEBUG). */
export function internalProblem(src: SourceFile, e: unknown): ParsedFile {
  if (process.env.OIDCLINT_DEBUG) console.error(e);
  const message = e instanceof Error ? e.message : String(e);
  return withProblems(src, "unknown", [
    { message: `oidclint could not read this file (internal error: ${message}); please report it`, loc: { file: src.path, line: 1, column: 1, endLine: 1, endColumn: 1 } },
  ]);
}

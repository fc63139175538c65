import { DEFAULT_FACTS, type FileFacts, type ParsedFile } from "../model/project.js";
import { isProgramPath, isPulumiYamlPath, PROGRAM_GLOBS } from "./program/discovery.js";
import type { ParseEnv, SourceFile } from "./source.js";
import { hclCommentStarts, yamlCommentStarts } from "./comments.js";
import { maySelect } from "./terraform/selection.js";
import { isJsPath, isPythonPath, jsCommentStarts, pythonCommentStarts } from "./program/comments.js";

/**
 * The input formats oidclint reads. Each entry says how a file of the format is recognised (by path, then
 * by a cheap test of its text), where its parser is (imported only when a file needs it) and which facts
 * it sets on the model. Adding a format is one folder with its parser and one entry here: see README.md
 * next to this file. Nothing outside this file tests a format's name.
 */
export interface Format {
  /** Stable name (debug output, tests); never tested by rules or the engine. */
  id: string;
  /** Discovery globs for a directory walk. */
  globs: readonly string[];
  /** Whether a file is of this format by its path (root-relative, `/` separators). Cheap: runs on every discovered path. */
  matchesPath: (path: string) => boolean;
  /** Cheap textual pre-check before the parser is loaded; absent: the path is enough. */
  sniff?: (text: string, path: string) => boolean;
  /** An unreadable file of this path is reported (its path alone makes it an input, not only its content). */
  inputByPath?: boolean;
  /** What the model may rely on for files of this format. */
  facts: FileFacts;
  /** The parser, imported lazily. */
  parser: FileParser | BatchParser;
}

/** Parses one file; undefined when the file turns out not to be of the format (the next format is tried). */
export interface FileParser {
  kind: "file";
  load: () => Promise<(src: SourceFile, env: ParseEnv) => ParsedFile | undefined | Promise<ParsedFile | undefined>>;
}

/** Parses every file of the format at once (Terraform: modules span files and call each other). */
export interface BatchParser {
  kind: "batch";
  load: () => Promise<(srcs: SourceFile[], env: ParseEnv) => Promise<ParsedFile[]>>;
  /**
   * After the batch: reconciles it with everything else parsed in the run (CDK source is preferred over
   * the templates synthesized from it, which would repeat its findings).
   */
  reconcile?: () => Promise<(all: ParsedFile[]) => ParsedFile[]>;
}

const TERRAFORM_PATH = /\.(tf|tfvars)(\.json)?$/;
const JSON_PATH = /\.(json|template)$/;
const YAML_PATH = /\.ya?ml$/;
/** `action.yml` in any directory (a regular expression on the path costs a run less than `basename`). */
const ACTION_PATH = /(^|[\\/])action\.ya?ml$/;

const CFN_JSON = /"AWSTemplateFormatVersion"|"Type"\s*:\s*"AWS::/;
// `[^\S\n]*`, not `\s*`: at every line start `\s*` would run over all the following blank lines (quadratic).
const CFN_YAML =
  /^[^\S\n]*["']?AWSTemplateFormatVersion["']?[^\S\n]*:|^[^\S\n]*Type:[^\S\n]*["']?AWS::|^Transform:[^\S\n]*["']?AWS::Serverless/m;
/** `terraform show -json` of a plan (`planned_values`) or of a state (`values.root_module`). */
const PLAN_JSON = /"planned_values"|"resource_changes"|"root_module"/;
const POLICY_JSON = /"(Statement|AssumeRolePolicyDocument|ClientIDList)"/;

const isJson = (path: string): boolean => JSON_PATH.test(path) && !TERRAFORM_PATH.test(path);
const isYaml = (path: string): boolean => YAML_PATH.test(path);

/** Files written by hand, deployed one file at a time, with an IAM-valid (`https://`) provider URL required. */
const TEMPLATE_FACTS: FileFacts = { deploymentScope: "file", providerUrlNeedsScheme: true };

/** In order: a file is parsed by the first format whose path test, pre-check and parser accept it. */
export const FORMATS: readonly Format[] = [
  {
    id: "terraform",
    globs: ["**/*.tf", "**/*.tf.json", "**/*.tfvars", "**/*.tfvars.json"],
    matchesPath: (path) => TERRAFORM_PATH.test(path),
    inputByPath: true,
    // A file no module directory could select (outputs, providers, other resources) is dropped once read.
    sniff: maySelect,
    // One module (directory) is one deployment; the provider URL is written by hand.
    facts: { deploymentScope: "directory", providerUrlNeedsScheme: true },
    parser: { kind: "batch", load: async () => (await import("./terraform/index.js")).parseTerraform },
  },
  {
    id: "terraform-plan",
    globs: ["**/*.json"],
    matchesPath: isJson,
    sniff: (text) => PLAN_JSON.test(text) && text.includes('"terraform_version"'),
    // Terraform's JSON output holds URLs as the provider returns them.
    facts: DEFAULT_FACTS,
    parser: { kind: "file", load: async () => (await import("./terraform/plan.js")).parseTerraformPlan },
  },
  {
    id: "workflow",
    globs: ["**/*.yml", "**/*.yaml"],
    matchesPath: (path) => /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path),
    inputByPath: true,
    facts: DEFAULT_FACTS,
    parser: { kind: "file", load: async () => (await import("./workflow/index.js")).parseWorkflow },
  },
  {
    id: "action",
    globs: ["**/*.yml", "**/*.yaml"],
    matchesPath: (path) => ACTION_PATH.test(path),
    inputByPath: true,
    facts: DEFAULT_FACTS,
    parser: { kind: "file", load: async () => (await import("./workflow/index.js")).parseAction },
  },
  {
    id: "cloudformation",
    globs: ["**/*.json", "**/*.template", "**/*.yml", "**/*.yaml"],
    matchesPath: (path) => isJson(path) || isYaml(path),
    // `.template` is also CloudFormation's old extension for YAML templates.
    sniff: (text, path) =>
      isYaml(path) ? CFN_YAML.test(text) : CFN_JSON.test(text) || (!/^\s*[{[]/.test(text) && CFN_YAML.test(text)),
    facts: TEMPLATE_FACTS,
    parser: { kind: "file", load: async () => (await import("./cloudformation/index.js")).parseCloudFormation },
  },
  {
    id: "pulumi-yaml",
    globs: ["**/Pulumi.yaml", "**/Pulumi.yml", "**/Main.yaml", "**/Main.yml"],
    matchesPath: isPulumiYamlPath,
    sniff: (text) => /\bresources\s*:/.test(text),
    // Programs write provider URLs by hand, and IAM requires `https://` (as in Terraform).
    facts: TEMPLATE_FACTS,
    parser: { kind: "file", load: async () => (await import("./program/pulumi-yaml.js")).parsePulumiYaml },
  },
  {
    // AWS CDK, Pulumi and CDKTF programs in TypeScript, JavaScript and Python: one batch (an app spans files).
    id: "program",
    globs: PROGRAM_GLOBS,
    matchesPath: isProgramPath,
    facts: TEMPLATE_FACTS,
    parser: {
      kind: "batch",
      load: async () => (await import("./program/index.js")).parsePrograms,
      reconcile: async () => (await import("./program/index.js")).preferProgramSource,
    },
  },
  {
    id: "iam-json",
    globs: ["**/*.json", "**/*.template"],
    matchesPath: isJson,
    sniff: (text) => POLICY_JSON.test(text),
    // Policy documents and `aws iam …` output: IAM prints provider URLs without their scheme.
    facts: DEFAULT_FACTS,
    parser: { kind: "file", load: async () => (await import("./json-policy.js")).parsePolicyJsonFile },
  },
];

/** Whether discovery should read a path at all. */
export function isInputPath(path: string): boolean {
  // (A loop, not `some` with a closure: discovery asks this of every file of a repository.)
  for (let i = 0; i < FORMATS.length; i++) if ((FORMATS[i] as Format).matchesPath(path)) return true;
  return false;
}

/** The format that reads a path as a whole batch (Terraform), if any. */
export function batchFormatOf(path: string): Format | undefined {
  return FORMATS.find((f) => f.parser.kind === "batch" && f.matchesPath(path));
}

/**
 * Whether a path is read as GitHub Actions YAML (a workflow or a composite action): `--context` follows their
 * local `uses:` and the roles they name (src/engine/context.ts).
 */
export function isWorkflowYamlPath(path: string): boolean {
  return FORMATS.some((f) => (f.id === "workflow" || f.id === "action") && f.matchesPath(path));
}

/**
 * Whether a path is a workflow file: the first format by path is the workflow format (no pre-check, a parser
 * that always answers), whose files hold workflows and nothing else — no policy, provider, action or template.
 * `lint` hands such a file to the rules' per-workflow part as soon as it is parsed (src/engine/workflow-stream.ts).
 */
export function isWorkflowFilePath(path: string): boolean {
  return FORMATS.find((f) => f.matchesPath(path))?.id === "workflow";
}

/** An unreadable file at this path is worth a finding: its path alone makes it an input. */
export function isInputByPath(path: string): boolean {
  return FORMATS.some((f) => f.inputByPath === true && f.matchesPath(path));
}

/**
 * Whether a file that could not be decoded (a bad byte, a NUL) was meant to be an input: its path says so,
 * or its leniently decoded text passes a format's pre-check. Then it is reported rather than taken for
 * unrelated data.
 */
export function looksLikeInput(path: string, lenientText: string): boolean {
  return FORMATS.some(
    (f) => f.matchesPath(path) && (f.inputByPath === true || (f.sniff?.(lenientText, path) ?? false)),
  );
}

/**
 * Whether a read file may be an input at all: some format takes its path and, where the format has a
 * pre-check, its text passes it. A file that fails (an empty `.json`, a YAML file that is no template) is
 * dropped right after reading: it is never parsed, and nothing of it is kept.
 */
export function mayBeInput(path: string, text: string): boolean {
  for (let i = 0; i < FORMATS.length; i++) {
    const f = FORMATS[i] as Format;
    if (f.matchesPath(path) && (f.sniff === undefined || f.sniff(text, path))) return true;
  }
  return false;
}

/**
 * How a language writes comments: where a suppression directive (`oidclint-disable …`) may be written.
 * Suppressions are a fact of the file's language, not of its format (a CloudFormation template in YAML
 * takes `#` comments, the same template in JSON none).
 */
export interface CommentSyntax {
  language: string;
  matchesPath: (path: string) => boolean;
  /** What a comment starts with. */
  markers: readonly ("#" | "//" | "/*")[];
  /** Offsets where real comments start (never inside a string, a YAML block scalar or a heredoc). */
  commentStarts: (text: string) => Set<number>;
}

/** The languages with comments; a file of none (JSON) has no inline suppressions: `overrides` instead. */
export const COMMENT_SYNTAXES: readonly CommentSyntax[] = [
  { language: "yaml", matchesPath: isYaml, markers: ["#"], commentStarts: yamlCommentStarts },
  {
    language: "hcl",
    matchesPath: (path) => /\.(tf|tfvars|hcl)$/i.test(path),
    markers: ["#", "//", "/*"],
    commentStarts: hclCommentStarts,
  },
  { language: "javascript", matchesPath: isJsPath, markers: ["//", "/*"], commentStarts: jsCommentStarts },
  { language: "python", matchesPath: isPythonPath, markers: ["#"], commentStarts: pythonCommentStarts },
];

/** The comment syntax of a file's language, if it has comments. */
export function commentSyntaxOf(path: string): CommentSyntax | undefined {
  return COMMENT_SYNTAXES.find((s) => s.matchesPath(path));
}

/** The globs discovery uses for a directory. */
export const INPUT_GLOBS: readonly string[] = [...new Set(FORMATS.flatMap((f) => f.globs))];

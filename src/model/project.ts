import type { SourceLocation } from "./location.js";
import type { OidcProvider, PolicyDocument } from "./policy.js";
import type { CompositeAction, Workflow, WorkflowTriggers } from "./workflow.js";

/** A file that is of a kind oidclint reads but could not be parsed. */
export interface ParseProblem {
  /** One short line. */
  message: string;
  /** The parser's whole text, when the message shortens it (shown as the finding's explanation). */
  detail?: string;
  loc: SourceLocation;
  /** The parser never finished (an oidclint bug): the run is incomplete, as when a rule throws. */
  unfinished?: true;
}

/**
 * What rules may rely on about a file because of its format (set by the format registry,
 * `src/parsers/formats.ts`): rules read these facts, never a format's name.
 */
export interface FileFacts {
  /**
   * What is deployed together: `directory` when every file of a directory is one deployment (a Terraform
   * module, so a provider and a role in sibling files share an account), `file` when each file is its own
   * (a CloudFormation stack, a policy document).
   */
  deploymentScope: "directory" | "file";
  /** Provider URLs are written by hand and IAM requires them with `https://` (IAM's own output omits it). */
  providerUrlNeedsScheme: boolean;
}

/** The facts of a file nothing more is known of. */
export const DEFAULT_FACTS: FileFacts = { deploymentScope: "file", providerUrlNeedsScheme: false };

/** What one parser made of one input file (or, for Terraform, of one file of a module). */
export interface ParsedFile {
  file: string;
  /** The parser's name for what it read (`terraform`, `get-role`, `workflow`, …): for messages and debugging only. */
  format: string;
  facts: FileFacts;
  policies: PolicyDocument[];
  providers: OidcProvider[];
  workflows: Workflow[];
  actions: CompositeAction[];
  problems: ParseProblem[];
  /**
   * Files this file renders as templates (Terraform's `templatefile()`, `data "template_file"`): their text
   * is a template, whatever its name (`trust.json` with `${OWNER}` placeholders), so what they hold is what
   * the rendering gives, reported there; read on their own they define nothing.
   */
  templates?: string[];
  /**
   * The trigger summaries of a workflow file the pre-filter left without a model (`workflows` is empty): what
   * a `workflow_run` follow-up in another file asks of it.
   */
  workflowTriggers?: WorkflowTriggers[];
}

export function emptyParsed(file: string, format: string): ParsedFile {
  return { file, format, facts: DEFAULT_FACTS, policies: [], providers: [], workflows: [], actions: [], problems: [] };
}

/** What the GitHub API said of one `OWNER/REPO` (`--online`). */
export type RepoStatus =
  | { kind: "ok"; fullName: string }
  | { kind: "missing" }
  | { kind: "renamed"; fullName: string }
  | { kind: "error"; message: string };

/** Everything the linted files define, across files: what rules see. */
export interface Project {
  /** Repository root (the working directory), for relative paths. */
  root: string;
  files: ParsedFile[];
  policies: PolicyDocument[];
  providers: OidcProvider[];
  workflows: Workflow[];
  actions: CompositeAction[];
  /** With `--online`: what the GitHub API said of each `OWNER/REPO` named in a sub condition. */
  repoStatuses?: ReadonlyMap<string, RepoStatus>;
}

export function buildProject(root: string, parsed: ParsedFile[]): Project {
  const templates = new Set(parsed.flatMap((f) => f.templates ?? []));
  const files =
    templates.size === 0
      ? parsed
      : parsed.map((f) => (templates.has(f.file) ? { ...emptyParsed(f.file, f.format), facts: f.facts } : f));
  return {
    root,
    files,
    policies: files.flatMap((f) => f.policies),
    providers: files.flatMap((f) => f.providers),
    workflows: files.flatMap((f) => f.workflows),
    actions: files.flatMap((f) => f.actions),
  };
}

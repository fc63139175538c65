import { posix } from "node:path";
import type { ResolvedSettings } from "../config/settings.js";
import { batchFormatOf, isWorkflowYamlPath } from "../parsers/formats.js";
import type { SourceFile } from "../parsers/source.js";

/**
 * `--context PATH` (the pre-commit hook passes `--context .`): of the files found there, only those that can
 * change a finding in the reported files are parsed. The choice is made on the text, with cheap and
 * conservative tests; a file that might matter is kept. What can matter (src/analysis/*):
 *
 * - to a reported workflow or composite action: the roles its jobs may assume (matched by role name, or by
 *   name prefix), the OIDC providers, the local reusable workflows it calls and the local actions it uses
 *   (and, through those, what they call and assume); to a `workflow_run` workflow, every workflow (the ones
 *   it follows are found by name);
 * - to a reported trust policy or role: the workflows that may assume a role it defines, and the providers;
 * - to a reported provider: every policy (the audiences they require, the client IDs they pin);
 * - to a reported Terraform file: the other files of its module directory, and the directories it calls or
 *   that call it (`source = "./…"`), since values flow through module calls.
 *
 * A role is found only by a known name (or name prefix): a context file whose roles' names are all plain
 * literals, none of them one the workflows name, cannot define a role they assume. Where a name is computed
 * (`name = var.x`, `RoleName: !Sub …`, `${{ … }}` in a role ARN), the file (or every such file) is kept.
 * CDK, Pulumi and CDKTF programs are always kept (their own pre-check skips those without a role).
 */
/** A context file, read only when its path does not settle the question (`text` is undefined when unreadable). */
export interface ContextCandidate {
  path: string;
  abs: string;
  text: () => string | undefined;
}

export function selectContext(
  reported: readonly SourceFile[],
  found: readonly ContextCandidate[],
  settings: Pick<ResolvedSettings, "roles">,
): SourceFile[] {
  const needs = new Needs(settings);
  for (const src of reported) needs.addReported(src);

  // Only the texts of the files kept are held: a repository's worth of texts kept until the end of the choice
  // survived into the old generation, and copying them was most of the garbage collector's work.
  const selected = new Map<ContextCandidate, SourceFile>();
  const unreadable = new Set<ContextCandidate>();
  const read = (c: ContextCandidate): SourceFile | undefined => {
    if (unreadable.has(c)) return undefined;
    const text = c.text();
    if (text === undefined) unreadable.add(c);
    return text === undefined ? undefined : { path: c.path, abs: c.abs, text };
  };
  // Each path is classified once: a repository's worth of path tests is a visible part of a one-file run.
  const workflowSide: ContextCandidate[] = [];
  const otherSide: ContextCandidate[] = [];
  for (const c of found) (isWorkflowYamlPath(c.path) ? workflowSide : otherSide).push(c);
  // Workflows and actions are read only when called (to a fixed point: a called workflow may call another, or
  // use a local action), or when a reported file defines roles.
  for (let grew = true; grew;) {
    grew = false;
    for (const c of workflowSide) {
      if (selected.has(c) || !(needs.followsRuns || needs.called(c.path))) continue;
      const src = read(c);
      if (!src) continue;
      selected.set(c, src);
      needs.addWorkflowText(src.text);
      grew = true;
    }
  }
  if (needs.readsWorkflows())
    for (const c of workflowSide) {
      if (selected.has(c)) continue;
      const src = read(c);
      if (src && needs.assumesReportedRole(src.text)) selected.set(c, src);
    }

  const directories = new Set<string>();
  const links = new Map<string, Set<string>>();
  for (const src of reported)
    if (isDirectoryBatch(src.path)) {
      directories.add(posix.dirname(src.path));
      addModuleLinks(links, src);
    }
  /** Terraform files not kept for themselves: kept (read again) when their module directory is. */
  const moduleFiles: ContextCandidate[] = [];
  for (const c of otherSide) {
    const src = read(c);
    if (!src) continue;
    const batch = batchFormatOf(c.path);
    const directory = batch?.facts.deploymentScope === "directory";
    if (batch && !directory)
      selected.set(c, src); // programs
    else if (needs.policyFileMatters(src)) {
      selected.set(c, src);
      if (batch) directories.add(posix.dirname(c.path));
    }
    if (directory) {
      addModuleLinks(links, src);
      if (!selected.has(c)) moduleFiles.push(c);
    }
  }
  // Terraform: whole module directories, and the directories connected to them by module calls.
  if (directories.size > 0) {
    const todo = [...directories];
    for (let dir = todo.pop(); dir !== undefined; dir = todo.pop()) {
      for (const next of links.get(dir) ?? []) {
        if (directories.has(next)) continue;
        directories.add(next);
        todo.push(next);
      }
    }
    for (const c of moduleFiles) {
      if (!directories.has(posix.dirname(c.path))) continue;
      const src = read(c);
      if (src) selected.set(c, src);
    }
  }
  return found.flatMap((c) => selected.get(c) ?? []);
}

function isDirectoryBatch(path: string): boolean {
  return batchFormatOf(path)?.facts.deploymentScope === "directory";
}

/** A role ARN's name (after `:role/` and any path): `arn:aws:iam::1:role/ci/deploy` → `deploy`. */
const ROLE_ARN = /:role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)/g;
/** A line naming a role through an expression: its name cannot be read from the text. */
const COMPUTED_ROLE_REF = /^.*(?:role|ROLE|Role).*\$\{\{.*$|:role\/(?:[\w+=,.@-]+\/)*\$\{\{/m;
/** `uses: ./.github/workflows/x.yml` (a local reusable workflow) or `uses: ./path` (a local action). */
const LOCAL_USES = /\buses\s*:\s*["']?\.\/([^\s"'#@]*)/g;
/** OIDC provider definitions in every format (Terraform, plans, CloudFormation, IAM output, programs). */
const PROVIDER = /openid_connect_provider|OIDCProvider|OpenIdConnectProvider|IdentityProvider|ClientIDList/i;
/** A role name given as a prefix (Terraform `name_prefix`, CDK/Pulumi `namePrefix`): matched by prefix. */
const NAME_PREFIX = /name_?prefix/i;
/** Terraform: a `name`, `name_prefix` or `role_name` that is not a plain string literal. */
const TF_COMPUTED_NAME = /^\s*(?:name|name_prefix|role_name)\s*=\s*(?!"[^"$%\\]*"\s*(?:#.*|\/\/.*)?$)\S/m;
const TF_ROLE = /aws_iam_role\b|^\s*module\s+"/m;
/** CloudFormation (YAML or JSON): a `RoleName` that is not a plain literal (`!Sub`, `Fn::…`, `Ref`, on the next line). */
const CFN_COMPUTED_NAME = /RoleName["']?\s*:(?!\s*(?:"[\w+=,.@-]+"|'[\w+=,.@-]+'|[\w+=,.@-]+\s*(?:#.*)?$))/m;
/** Terraform module calls to a local directory. */
const TF_LOCAL_SOURCE = /^\s*source\s*=\s*"(\.\.?\/[^"]*)"/gm;

class Needs {
  /** Role names the reported workflows (and what they call) may assume; "any" when one is computed. */
  private roleNames: Set<string> | "any" = new Set();
  private readonly calledPaths = new Set<string>();
  /** A reported workflow (or one it calls) runs after others' runs (`workflow_run`): every workflow may matter. */
  followsRuns = false;
  private readonly actionDirs = new Set<string>();
  /** Text of the reported files that are not workflows (policies, roles, providers). */
  private readonly policyTexts: string[] = [];
  /** A reported file defines a role whose name is computed or a prefix: any role ARN may denote it. */
  private anyReportedRole = false;
  /** A reported file defines an OIDC provider: every policy file may matter. */
  private reportedProvider = false;
  /** Files the `roles` config map points ARNs to (matched by path suffix, as the index does). */
  private readonly mappedFiles: string[];

  constructor(settings: Pick<ResolvedSettings, "roles">) {
    this.mappedFiles = Object.values(settings.roles).map((f) =>
      posix.normalize(f.replace(/\\/g, "/")).replace(/^\.\//, ""),
    );
    for (const arn of Object.keys(settings.roles)) this.addNames(arn);
  }

  addReported(src: SourceFile): void {
    if (isWorkflowYamlPath(src.path)) {
      this.addWorkflowText(src.text);
      return;
    }
    this.policyTexts.push(src.text);
    if (computedRoleName(src.text) || NAME_PREFIX.test(src.text)) this.anyReportedRole = true;
    // A provider is judged against every trust policy that names it (audiences, pinned client IDs).
    if (PROVIDER.test(src.text)) this.reportedProvider = true;
  }

  addWorkflowText(text: string): void {
    if (/\bworkflow_run\b/.test(text)) this.followsRuns = true;
    if (COMPUTED_ROLE_REF.test(text)) this.roleNames = "any";
    else this.addNames(text);
    for (const m of text.matchAll(LOCAL_USES)) {
      const target = (m[1] ?? "").replace(/\/+$/, "");
      if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(target)) this.calledPaths.add(target);
      else this.actionDirs.add(target.replace(/\/action\.ya?ml$/, "") || ".");
    }
  }

  private addNames(text: string): void {
    if (this.roleNames === "any") return;
    for (const m of text.matchAll(ROLE_ARN)) if (m[1]) this.roleNames.add(m[1]);
  }

  /** Whether any context workflow may matter whatever its path: a reported file defines roles or providers. */
  readsWorkflows(): boolean {
    return this.policyTexts.length > 0;
  }

  /** A context workflow or action the reported ones call or use. */
  called(path: string): boolean {
    for (const p of this.calledPaths) if (path === p || path.endsWith(`/${p}`)) return true;
    return /(^|\/)action\.ya?ml$/.test(path) && this.actionDirs.has(posix.dirname(path));
  }

  /** A context workflow that may assume a role a reported file defines. */
  assumesReportedRole(text: string): boolean {
    if (this.policyTexts.length === 0 || !/:role\/|role/i.test(text)) return false;
    if (this.anyReportedRole || COMPUTED_ROLE_REF.test(text)) return true;
    for (const m of text.matchAll(ROLE_ARN)) {
      const name = m[1];
      if (name && this.policyTexts.some((t) => t.includes(name))) return true;
    }
    return false;
  }

  /** A context file that is not a workflow: whether it may define a role the workflows assume, or a provider. */
  policyFileMatters(src: SourceFile): boolean {
    const { text, path } = src;
    if (this.reportedProvider || PROVIDER.test(text)) return true;
    if (this.mappedFiles.some((f) => path === f || path.endsWith(`/${f}`) || f.endsWith(`/${path}`))) return true;
    if (this.roleNames === "any") return true;
    if (this.roleNames.size === 0) return false;
    for (const name of this.roleNames) if (text.includes(name)) return true;
    return NAME_PREFIX.test(text) || computedRoleName(text);
  }
}

function computedRoleName(text: string): boolean {
  return (TF_ROLE.test(text) && TF_COMPUTED_NAME.test(text)) || CFN_COMPUTED_NAME.test(text);
}

/** Terraform directories linked by a file's local module calls (both ways: values flow from the caller and back). */
function addModuleLinks(links: Map<string, Set<string>>, src: SourceFile): void {
  if (!src.text.includes("source")) return;
  const link = (a: string, b: string): void => {
    let set = links.get(a);
    if (!set) links.set(a, (set = new Set()));
    set.add(b);
  };
  const dir = posix.dirname(src.path);
  for (const m of src.text.matchAll(TF_LOCAL_SOURCE)) {
    const target = posix.normalize(posix.join(dir, m[1] ?? ".")).replace(/\/+$/, "") || ".";
    link(dir, target);
    link(target, dir);
  }
}

import type { ResolvedSettings } from "../config/settings.js";
import { DEFAULT_FACTS, type FileFacts, type Project } from "../model/project.js";
import type { OidcProvider, PolicyDocument, RoleInfo } from "../model/policy.js";
import { knownText } from "../model/value.js";
import type { CompositeAction, Workflow, WorkflowTriggers } from "../model/workflow.js";

/**
 * The per-run index: the lookups cross-file analyses make, built once per run (`loadProject`) from the
 * project and the settings it is linted with, and handed to rules as `ctx.index`. Every lookup is a map
 * read; no analysis scans all roles, providers or workflows per question. Results that depend on the
 * settings (a provider's partition reads the issuer) are remembered here, per run, never in module state.
 */
export type IndexSettings = Pick<ResolvedSettings, "issuer" | "roles">;

/** A role resource of the linted files with its trust policy documents (in project order). */
export interface IndexedRole {
  info: RoleInfo;
  docs: PolicyDocument[];
  /** Position of the role's first document in `project.policies`: lookups answer in project order. */
  order: number;
}

/** The names of the workflows a workflow follows (its `workflow_run` trigger's `workflows:`). */
export function followedWorkflows(wf: Workflow): string[] {
  return wf.triggers
    .flatMap((t) => (t.event.value === "workflow_run" ? (t.filter.workflows ?? []) : []))
    .map((n) => n.value);
}

/** The trigger summaries of one file's workflows. */
export function triggersOf(workflows: readonly Workflow[]): WorkflowTriggers[] {
  return workflows.map((wf) => ({
    name: wf.name?.value ?? wf.file,
    events: wf.triggers.map((t) => t.event.value),
    follows: followedWorkflows(wf),
  }));
}

export class ProjectIndex {
  /** Whether any policy belongs to a role resource. */
  readonly hasRoles: boolean;
  private readonly factsByFile = new Map<string, FileFacts>();
  private readonly factsByProvider = new Map<OidcProvider, FileFacts>();
  private readonly policiesByFile = new Map<string, PolicyDocument[]>();
  private readonly policyOrder = new Map<PolicyDocument, number>();
  private readonly providerOrder = new Map<OidcProvider, number>();
  private readonly providersByIssuer = new Map<string, OidcProvider[]>();
  private readonly workflowsBySuffix = new Map<string, Workflow>();
  private readonly actionsByDir = new Map<string, CompositeAction>();
  private readonly rolesByName = new Map<string, IndexedRole[]>();
  private readonly rolesByPrefix = new Map<string, IndexedRole[]>();
  /** Trust documents by every path suffix of their file (`a/b/x.tf`, `b/x.tf`, `x.tf`), for the `roles` config map. */
  private readonly trustDocsBySuffix = new Map<string, PolicyDocument[]>();
  private readonly partitions = new Map<OidcProvider, string | undefined>();
  /** Trigger summaries of every workflow file, including those whose models a streamed run dropped (`noteTriggers`). */
  private readonly triggersByFile = new Map<string, WorkflowTriggers[]>();

  constructor(
    readonly project: Project,
    readonly settings: IndexSettings,
  ) {
    for (const f of project.files) {
      this.factsByFile.set(f.file, f.facts);
      if (f.workflowTriggers) this.triggersByFile.set(f.file, f.workflowTriggers);
      for (const p of f.providers) if (!this.factsByProvider.has(p)) this.factsByProvider.set(p, f.facts);
    }
    const roles = new Map<RoleInfo, IndexedRole>();
    project.policies.forEach((doc, i) => {
      this.policyOrder.set(doc, i);
      push(this.policiesByFile, doc.loc.file, doc);
      if (doc.kind === "permissions") return;
      for (const suffix of pathSuffixes(doc.loc.file)) push(this.trustDocsBySuffix, suffix, doc);
      if (!doc.role) return;
      const known = roles.get(doc.role);
      if (known) known.docs.push(doc);
      else roles.set(doc.role, { info: doc.role, docs: [doc], order: i });
    });
    this.hasRoles = project.policies.some((d) => d.role !== undefined);
    for (const role of roles.values()) {
      const name = role.info.name ? knownText(role.info.name) : undefined;
      if (name !== undefined) push(this.rolesByName, name, role);
      else {
        const prefix = role.info.namePrefix ? knownText(role.info.namePrefix) : undefined;
        if (prefix !== undefined) push(this.rolesByPrefix, prefix, role);
      }
    }
    project.providers.forEach((p, i) => {
      this.providerOrder.set(p, i);
      const issuer = providerIssuer(p);
      if (issuer !== undefined) push(this.providersByIssuer, issuer, p);
    });
    const byFile = new Map<string, Workflow[]>();
    for (const wf of project.workflows) {
      for (const suffix of pathSuffixes(wf.file))
        if (!this.workflowsBySuffix.has(suffix)) this.workflowsBySuffix.set(suffix, wf);
      push(byFile, wf.file, wf);
    }
    for (const [file, wfs] of byFile) this.triggersByFile.set(file, triggersOf(wfs));
    for (const a of project.actions) if (!this.actionsByDir.has(a.dir)) this.actionsByDir.set(a.dir, a);
  }

  /** The format facts of a file (those of a file nothing is known of when it was not parsed). */
  facts(file: string): FileFacts {
    return this.factsByFile.get(file) ?? DEFAULT_FACTS;
  }

  /** The format facts of the file a provider was read from. */
  providerFacts(provider: OidcProvider): FileFacts {
    return this.factsByProvider.get(provider) ?? DEFAULT_FACTS;
  }

  policiesIn(file: string): readonly PolicyDocument[] {
    return this.policiesByFile.get(file) ?? [];
  }

  /** The providers of the linted files for an issuer (normalised as `normaliseIssuer` does), in project order. */
  providersFor(issuer: string): readonly OidcProvider[] {
    return this.providersByIssuer.get(issuer) ?? [];
  }

  /** Sorts providers gathered from several lookups back into project order. */
  inProviderOrder(providers: Iterable<OidcProvider>): OidcProvider[] {
    return [...providers].sort((a, b) => (this.providerOrder.get(a) ?? 0) - (this.providerOrder.get(b) ?? 0));
  }

  /** A provider's partition, computed once per run by `compute`. */
  partitionOf(provider: OidcProvider, compute: () => string | undefined): string | undefined {
    if (!this.partitions.has(provider)) this.partitions.set(provider, compute());
    return this.partitions.get(provider);
  }

  /** The first linted workflow (in project order) whose path is `file` or ends with `/file`. */
  workflowAt(file: string): Workflow | undefined {
    return this.workflowsBySuffix.get(file);
  }

  /** Records the trigger summaries of a workflow file whose models may be dropped (the workflow stream). */
  noteTriggers(file: string, triggers: WorkflowTriggers[]): void {
    this.triggersByFile.set(file, triggers);
  }

  /** The linted workflows GitHub knows by `name` (their `name:`, or their path without one), in no set order. */
  workflowsNamed(name: string): WorkflowTriggers[] {
    const out: WorkflowTriggers[] = [];
    for (const list of this.triggersByFile.values()) for (const t of list) if (t.name === name) out.push(t);
    return out;
  }

  /** The first linted composite action of a directory (`.` for the repository root). */
  actionIn(dir: string): CompositeAction | undefined {
    return this.actionsByDir.get(dir);
  }

  /**
   * The roles an ARN's name can denote: those named exactly so, and those whose `name_prefix` is a
   * proper prefix of it (Terraform appends a unique suffix), in project order. The path is the caller's.
   */
  rolesNamed(name: string): IndexedRole[] {
    const out = [...(this.rolesByName.get(name) ?? [])];
    if (this.rolesByPrefix.size > 0) {
      for (let end = 0; end < name.length; end++) out.push(...(this.rolesByPrefix.get(name.slice(0, end)) ?? []));
    }
    return out.sort((a, b) => a.order - b.order);
  }

  /**
   * Trust documents (not permission policies) of a file named in the `roles` config map: written as the
   * model's path, a path it ends with, or a longer path ending with the model's path. In project order.
   */
  trustDocsAt(want: string): PolicyDocument[] {
    const found = new Set<PolicyDocument>(this.trustDocsBySuffix.get(want) ?? []);
    // `want` may be longer than the model's path (`../repo/infra/x.json` for `infra/x.json`).
    const segments = want.split("/");
    for (let i = 1; i < segments.length; i++) {
      for (const doc of this.trustDocsBySuffix.get(segments.slice(i).join("/")) ?? [])
        if (doc.loc.file === segments.slice(i).join("/")) found.add(doc);
    }
    return [...found].sort((a, b) => (this.policyOrder.get(a) ?? 0) - (this.policyOrder.get(b) ?? 0));
  }
}

/** Builds the per-run index (once, in `loadProject`; tests and library users that build a project call it too). */
export function indexProject(project: Project, settings: IndexSettings): ProjectIndex {
  return new ProjectIndex(project, settings);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** `a/b/c` → `a/b/c`, `b/c`, `c`: the paths `workflowAt` finds a file by. */
export function pathSuffixes(file: string): string[] {
  const out = [file];
  for (let i = file.indexOf("/"); i >= 0; i = file.indexOf("/", i + 1)) out.push(file.slice(i + 1));
  return out;
}

/** An issuer as IAM writes it in keys and provider ARNs: no scheme, no trailing slash, lower case. */
export function normaliseIssuer(text: string): string {
  // Every statement names the same few issuers: normalised once per text (a bounded cache).
  let out = normalisedIssuers.get(text);
  if (out === undefined) {
    if (normalisedIssuers.size >= 1000) normalisedIssuers.clear();
    out = text
      .trim()
      .replace(/^https?:\/\//i, "")
      .replace(/\/+$/, "")
      .toLowerCase();
    normalisedIssuers.set(text, out);
  }
  return out;
}

const normalisedIssuers = new Map<string, string>();

/** The issuer an OIDC provider resource is for, when its URL is known. */
export function providerIssuer(provider: OidcProvider): string | undefined {
  if (!provider.url) return undefined;
  const text = knownText(provider.url);
  return text === undefined ? undefined : normaliseIssuer(text);
}

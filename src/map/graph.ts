import { relative } from "node:path";
import type { ResolvedSettings } from "../config/settings.js";
import type { LintReport } from "../engine/result.js";
import { docsUrl } from "../engine/rule.js";
import { jobSituations, renderSub, type JobSituation } from "../analysis/predicted-claims.js";
import { githubConditions, isAllow, isDeny, trustsGitHub } from "../analysis/github-trust.js";
import { audienceOf, claimVerdict, projectRoles, verdictText, type RoleEntry } from "../analysis/job-trust.js";
import type { SourceLocation } from "../model/location.js";
import { effectivePermissions, jobNeed, jobOidcUses } from "../analysis/token-use.js";
import type { OidcProvider } from "../model/policy.js";
import type { Project } from "../model/project.js";
import type { ProjectIndex } from "../analysis/project-index.js";
import { providersFor } from "../analysis/oidc-providers.js";
import { jobRoleAssumptions, resolveRole, type ResolvedRole } from "../analysis/role-assumptions.js";
import { displayText, knownText } from "../model/value.js";
import type { Job, Workflow } from "../model/workflow.js";

/**
 * The trust map as data (`oidclint map --format json`, schema in schema/trust-map.schema.json):
 * workflows → jobs (triggers, environment, predicted sub/aud) → the roles they assume (where defined)
 * → the conditions that accept or refuse each claim, the OIDC providers the roles trust, and the
 * findings of a lint run on the same project attached to the node or edge they are about. Every
 * decision comes from the shared analysis (`job-trust.ts`, `claims.ts`, `roles.ts`): nothing is
 * judged here.
 */

export const TRUST_MAP_VERSION = 1;

export interface MapLocation {
  file: string;
  line: number;
  column: number;
}

export type Verdict = "accepted" | "refused" | "partial" | "unknown" | "unresolved";

export interface MapSituation {
  event: string;
  /** How the job runs on that event ("to a branch matching `release/**`"); may be empty. */
  description: string;
  kind: JobSituation["kind"];
  /** The predicted sub (`<branch>`/`<tag>` for a name the filter leaves open); null when it cannot be predicted. */
  sub: string | null;
  /** Why the sub cannot be predicted. */
  unknownWhy?: string;
}

export interface MapJob {
  id: string;
  job: string;
  name: string | null;
  loc: MapLocation;
  environment: string | null;
  /** `id-token` as granted to the job: `write`, `none` or `unknown` (an expression, a caller's grant). */
  idToken: string;
  /** Whether the job requests a token: `yes`, `maybe` or `no`. */
  needsToken: string;
  situations: MapSituation[];
  findings: string[];
}

export interface MapWorkflow {
  id: string;
  file: string;
  name: string | null;
  triggers: string[];
  jobs: MapJob[];
  findings: string[];
}

export interface MapCondition {
  id: string;
  /** The claim, lower-cased: `sub`, `aud`, `job_workflow_ref`, … */
  claim: string;
  operator: string;
  values: string[];
  effect: "Allow" | "Deny";
  loc: MapLocation;
}

export interface MapRole {
  id: string;
  /** Role name when known, else the resource address, the ARN (not defined here) or the policy file. */
  label: string;
  name: string | null;
  /** Resource address or logical id (`aws_iam_role.deploy`, `DeployRole`); null for a bare policy file. */
  resource: string | null;
  /** Whether the linted files define it; an assumed ARN they do not define is a node of its own. */
  defined: boolean;
  loc: MapLocation | null;
  providers: string[];
  conditions: MapCondition[];
  findings: string[];
}

export interface MapProvider {
  id: string;
  resource: string;
  url: string | null;
  /** Client IDs (audiences); null when the list is absent or not known. */
  audiences: string[] | null;
  loc: MapLocation;
  findings: string[];
}

export interface MapClaimVerdict {
  claim: string;
  verdict: "accepts" | "refuses" | "unknown";
  /** The role's Allow conditions on this claim. */
  conditions: string[];
}

export interface MapEdgeSituation extends MapSituation {
  aud: string | null;
  verdict: "accepted" | "refused" | "unknown";
  /** A name the role refuses, for an open set of branches or tags. */
  example: string | null;
  /** Names of the filter (and the default branch) the role accepts although it refuses others. */
  acceptedNames: string[];
  claims: MapClaimVerdict[];
}

export interface MapEdge {
  id: string;
  kind: "assumes" | "trusts";
  from: string;
  to: string;
  verdict: Verdict;
  /** `assumes`: the `role-to-assume` as written and where. */
  role?: string;
  loc?: MapLocation;
  situations?: MapEdgeSituation[];
  findings: string[];
}

export interface MapFinding {
  id: string;
  ruleId: string;
  severity: "error" | "warning";
  message: string;
  loc: MapLocation;
  docs: string;
  /** The nodes and edges the finding is about (empty: a file the map does not draw). */
  on: string[];
}

export interface TrustMap {
  version: typeof TRUST_MAP_VERSION;
  repository: string | null;
  defaultBranch: string;
  audience: string;
  workflows: MapWorkflow[];
  roles: MapRole[];
  providers: MapProvider[];
  edges: MapEdge[];
  findings: MapFinding[];
}

function at(loc: SourceLocation): MapLocation {
  return { file: loc.file, line: loc.line, column: loc.column };
}

/** A span of a file that findings inside it belong to. */
interface Span {
  id: string;
  file: string;
  line: number;
  endLine: number;
  /** Smaller spans win: an edge inside a job inside a workflow. */
  size: number;
  findings: string[];
}

function overall(situations: readonly MapEdgeSituation[]): Verdict {
  const refused = situations.some((s) => s.verdict === "refused");
  const accepted = situations.some((s) => s.verdict === "accepted" || s.acceptedNames.length > 0);
  if (refused) return accepted ? "partial" : "refused";
  if (situations.some((s) => s.verdict === "unknown") || situations.length === 0) return "unknown";
  return "accepted";
}

function situationOf(s: JobSituation): MapSituation {
  const out: MapSituation = {
    event: s.event,
    description: s.description,
    kind: s.kind,
    sub: s.kind === "unknown" ? null : renderSub(s),
  };
  if (s.unknownWhy !== undefined) out.unknownWhy = s.unknownWhy;
  return out;
}

class Builder {
  readonly map: TrustMap;
  private readonly roleEntries: RoleEntry[];
  private readonly roleIds = new Map<RoleEntry, string>();
  private readonly roleNodes = new Map<string, MapRole>();
  private readonly spans: Span[] = [];

  private readonly project: Project;

  constructor(
    private readonly index: ProjectIndex,
    private readonly settings: ResolvedSettings,
  ) {
    const project = index.project;
    this.project = project;
    this.map = {
      version: TRUST_MAP_VERSION,
      repository: settings.repository ?? null,
      defaultBranch: settings.defaultBranch,
      audience: settings.audience,
      workflows: [],
      roles: [],
      providers: [],
      edges: [],
      findings: [],
    };
    this.roleEntries = projectRoles(project, settings);
  }

  build(): TrustMap {
    const providerIds = this.providers();
    for (const entry of this.roleEntries) this.role(entry, providerIds);
    for (const wf of [...this.project.workflows].sort((a, b) => a.file.localeCompare(b.file))) this.workflow(wf);
    this.map.roles = [...this.roleNodes.values()].sort(
      (a, b) =>
        Number(b.loc !== null) - Number(a.loc !== null) ||
        (a.loc?.file ?? "").localeCompare(b.loc?.file ?? "") ||
        (a.loc?.line ?? 0) - (b.loc?.line ?? 0) ||
        a.label.localeCompare(b.label),
    );
    return this.map;
  }

  private span(id: string, loc: SourceLocation, findings: string[]): void {
    this.spans.push({
      id,
      file: loc.file,
      line: loc.line,
      endLine: Math.max(loc.line, loc.endLine),
      size: Math.max(loc.line, loc.endLine) - loc.line,
      findings,
    });
  }

  private providers(): Map<OidcProvider, string> {
    const ids = new Map<OidcProvider, string>();
    for (const p of this.project.providers) {
      const id = `provider:${p.loc.file}#${p.id}`;
      ids.set(p, id);
      const node: MapProvider = {
        id,
        resource: p.id,
        url: p.url ? displayText(p.url) : null,
        audiences: p.clientIds && !p.clientIds.unknown ? p.clientIds.items.map(displayText) : null,
        loc: at(p.loc),
        findings: [],
      };
      this.span(id, p.loc, node.findings);
      this.map.providers.push(node);
    }
    return ids;
  }

  private role(entry: RoleEntry, providerIds: Map<OidcProvider, string>): MapRole {
    const known = this.roleIds.get(entry);
    if (known) {
      const node = this.roleNodes.get(known);
      if (node) return node;
    }
    const info = entry.role;
    const id = info ? `role:${info.loc.file}#${info.id}` : `policy:${entry.loc.file}:${entry.loc.line}`;
    const name = info?.name ? (knownText(info.name) ?? null) : null;
    const node: MapRole = {
      id,
      label: name ?? info?.id ?? entry.loc.file,
      name,
      resource: info?.id ?? null,
      defined: true,
      loc: at(entry.loc),
      providers: [],
      conditions: [],
      findings: [],
    };
    this.roleIds.set(entry, id);
    this.roleNodes.set(id, node);
    const providers = new Set<string>();
    for (const doc of entry.docs) {
      this.span(id, doc.loc, node.findings);
      for (const stmt of doc.statements) {
        const trusting = trustsGitHub(stmt, this.settings);
        if (!trusting && !isDeny(stmt)) continue;
        for (const gc of githubConditions(stmt, this.settings)) {
          node.conditions.push({
            id: `${id}#c${node.conditions.length + 1}`,
            claim: gc.claim,
            operator: gc.condition.operator.value,
            values: [
              ...gc.condition.values.items.map(displayText),
              ...(gc.condition.values.unknown ? [`\${${gc.condition.values.unknown.expr}}`] : []),
            ],
            effect: isAllow(stmt) ? "Allow" : "Deny",
            loc: at(gc.condition.loc),
          });
        }
        if (trusting) for (const p of providersFor(stmt, doc, this.index)) providers.add(providerIds.get(p) ?? "");
      }
    }
    if (info) this.span(id, info.loc, node.findings);
    for (const p of [...providers].filter((x) => x !== "").sort()) {
      node.providers.push(p);
      this.map.edges.push({ id: `${id}->${p}`, kind: "trusts", from: id, to: p, verdict: "accepted", findings: [] });
    }
    return node;
  }

  /** The node of a role a job assumes: a role of the project, or (not defined here) one per ARN. */
  private assumedRole(resolved: ResolvedRole): MapRole {
    const entry = this.roleEntries.find((e) => resolved.docs.some((d) => e.docs.includes(d)));
    if (entry) return this.role(entry, new Map());
    // A role whose trust policy does not let GitHub in at all.
    const doc = resolved.docs[0];
    const made: RoleEntry = {
      label: resolved.label,
      docs: resolved.docs,
      loc: resolved.loc,
      ...(doc?.role ? { role: doc.role } : {}),
    };
    this.roleEntries.push(made);
    return this.role(made, new Map());
  }

  private externalRole(text: string, defined: boolean): MapRole {
    const id = `external:${text}`;
    const node = this.roleNodes.get(id) ?? {
      id,
      label: text,
      name: null,
      resource: null,
      defined: false,
      loc: null,
      providers: [],
      conditions: [],
      findings: [],
    };
    node.defined = node.defined || defined;
    this.roleNodes.set(id, node);
    return node;
  }

  private workflow(wf: Workflow): void {
    const id = `workflow:${wf.file}`;
    const node: MapWorkflow = {
      id,
      file: wf.file,
      name: wf.name?.value ?? null,
      triggers: [...new Set(wf.triggers.map((t) => t.event.value))],
      jobs: [],
      findings: [],
    };
    this.spans.push({
      id,
      file: wf.file,
      line: 1,
      endLine: Number.MAX_SAFE_INTEGER,
      size: Number.MAX_SAFE_INTEGER,
      findings: node.findings,
    });
    const jobs = [...wf.jobs].sort((a, b) => a.loc.line - b.loc.line);
    jobs.forEach((job, i) => {
      const next = jobs[i + 1];
      const mapped = this.job(wf, job, next ? next.loc.line - 1 : Number.MAX_SAFE_INTEGER - 1);
      if (mapped) node.jobs.push(mapped);
    });
    if (node.jobs.length > 0) this.map.workflows.push(node);
  }

  /** A job that can get a token (granted, or requested); jobs without either are not part of the map. */
  private job(wf: Workflow, job: Job, lastLine: number): MapJob | undefined {
    const uses = jobOidcUses({ index: this.index, settings: this.settings }, job, wf);
    const need = jobNeed(uses);
    const idToken = effectivePermissions(job, wf).idToken;
    if (need === "no" && idToken !== "write") return undefined;
    const id = `job:${wf.file}#${job.id.value}`;
    const assumptions = jobRoleAssumptions(this.index, this.settings, wf, job);
    const step =
      assumptions.length > 0 && assumptions.every((a) => a.step === assumptions[0]?.step)
        ? assumptions[0]?.step
        : undefined;
    const node: MapJob = {
      id,
      job: job.id.value,
      name: job.name?.value ?? null,
      loc: at(job.id.loc),
      environment: job.environment ? displayText(job.environment) : null,
      idToken,
      needsToken: need,
      situations: jobSituations(wf, job, this.settings, step).map(situationOf),
      findings: [],
    };
    this.spans.push({
      id,
      file: wf.file,
      line: job.id.loc.line,
      endLine: lastLine,
      size: lastLine - job.id.loc.line,
      findings: node.findings,
    });
    for (const a of assumptions) {
      const text = displayText(a.role);
      const resolved = resolveRole(a.role, this.index);
      const aud = audienceOf(a);
      const targets =
        resolved.length > 0
          ? resolved.map((r) => this.assumedRole(r))
          : [this.externalRole(text, knownText(a.role) !== undefined)];
      for (const target of targets) {
        const edgeId = `${id}->${target.id}`;
        if (this.map.edges.some((e) => e.id === edgeId)) continue;
        const edge: MapEdge = {
          id: edgeId,
          kind: "assumes",
          from: id,
          to: target.id,
          verdict: "unresolved",
          role: text,
          loc: at(a.loc),
          findings: [],
        };
        const r = resolved.find((x) => this.assumedRole(x) === target);
        if (r) {
          edge.situations = jobSituations(wf, job, this.settings, a.step).map((s) =>
            this.judge(s, r, target, aud.value),
          );
          edge.verdict = overall(edge.situations);
        }
        this.span(edgeId, a.loc, edge.findings);
        this.map.edges.push(edge);
      }
    }
    return node;
  }

  private judge(s: JobSituation, role: ResolvedRole, node: MapRole, aud: string | undefined): MapEdgeSituation {
    const base = { ...situationOf(s), aud: aud ?? null };
    if (s.kind === "unknown") return { ...base, verdict: "unknown", example: null, acceptedNames: [], claims: [] };
    const v = verdictText(s, role, aud, this.settings);
    const allowConditions = node.conditions.filter((c) => c.effect === "Allow");
    const claims = [...new Set(allowConditions.map((c) => c.claim))].map((claim) => ({
      claim,
      verdict: claimVerdict(s, role.docs, claim, aud, this.settings),
      conditions: allowConditions.filter((c) => c.claim === claim).map((c) => c.id),
    }));
    if (v === "accepts" || v === "unknown")
      return { ...base, verdict: v === "accepts" ? "accepted" : "unknown", example: null, acceptedNames: [], claims };
    const example = v.refused === "" ? null : v.refused;
    return {
      ...base,
      sub: renderSub(s, example ?? undefined),
      verdict: "refused",
      example,
      acceptedNames: v.acceptedNames,
      claims,
    };
  }

  /** Each finding goes to the smallest node or edge whose span holds its line (ties: all of them). */
  attach(report: LintReport, cwd: string): void {
    const all: MapFinding[] = [];
    for (const r of report.results) {
      const file = relative(cwd, r.filePath).split("\\").join("/");
      for (const m of r.messages) {
        all.push({
          id: "",
          ruleId: m.ruleId,
          severity: m.severity === 2 ? "error" : "warning",
          message: m.message,
          loc: { file, line: m.line, column: m.column },
          docs: docsUrl(m.ruleId),
          on: [],
        });
      }
    }
    all.sort(
      (a, b) =>
        a.loc.file.localeCompare(b.loc.file) ||
        a.loc.line - b.loc.line ||
        a.loc.column - b.loc.column ||
        a.ruleId.localeCompare(b.ruleId),
    );
    all.forEach((f, i) => {
      f.id = `finding:${i + 1}`;
      const holding = this.spans.filter(
        (s) => s.file === f.loc.file && s.line <= f.loc.line && f.loc.line <= s.endLine,
      );
      const smallest = Math.min(...holding.map((s) => s.size));
      for (const s of holding.filter((x) => x.size === smallest)) {
        if (!f.on.includes(s.id)) f.on.push(s.id);
        if (!s.findings.includes(f.id)) s.findings.push(f.id);
      }
    });
    this.map.findings = all;
  }
}

/** The trust map of a project, with the findings of a lint run over the same files. */
export function buildTrustMap(
  index: ProjectIndex,
  settings: ResolvedSettings,
  report: LintReport | undefined,
): TrustMap {
  const b = new Builder(index, settings);
  b.build();
  if (report) b.attach(report, index.project.root);
  return b.map;
}

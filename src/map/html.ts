import { createHash } from "node:crypto";
import type { MapEdge, MapFinding, MapJob, MapRole, MapWorkflow, TrustMap, Verdict } from "./graph.js";
import {
  edgeSub,
  jobDetail,
  jobTitle,
  providerDetail,
  providerTitle,
  roleDetail,
  VERDICT_TEXT,
  workflowTitle,
} from "./labels.js";
import { layoutGraph, type LayoutEdge, type LayoutNode } from "./layout.js";

/**
 * `--format html`: one self-contained page. The graph is SVG laid out here (dagre), the tables are
 * plain HTML, `<details>` groups and collapses without script; a small inline script only adds the
 * filters. A Content-Security-Policy allows nothing but the page's own style and script (by hash): no
 * request leaves the page. Every string from the repository goes through `esc` (text and attributes
 * alike); ids in the page are generated, never taken from the repository.
 */

/** Jobs per graph page: a page stays legible; a repository of 200 workflows is a few pages. */
export const PAGE_JOBS = 30;
/** Characters per line of a node; longer text is cut with … (the whole text is in the node's tooltip and the tables). */
const LINE_CHARS = 46;
const CHAR_W = 7.2;
const LINE_H = 16;
const PAD = 8;
/** Above this many workflows, the tables' groups start collapsed (those with a refused edge or a finding stay open). */
const OPEN_GROUPS = 20;

export function esc(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "\ufffd")
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Escaped, with the analysis' `code` spans as <code> (what is between the backticks is escaped text). */
function escCode(s: string): string {
  return esc(s).replace(/`([^`]*)`/g, "<code>$1</code>");
}

function cut(s: string): string {
  const chars = Array.from(s);
  return chars.length <= LINE_CHARS ? s : `${chars.slice(0, LINE_CHARS - 1).join("")}…`;
}

/** What the filters match an element on: the files it involves, the roles, the rules of its findings. */
interface Facets {
  paths: string[];
  roles: string[];
  rules: string[];
}

function facetAttrs(f: Facets): string {
  return ` data-paths="${esc(JSON.stringify([...new Set(f.paths)]))}" data-roles="${esc(JSON.stringify([...new Set(f.roles)]))}" data-rules="${esc(JSON.stringify([...new Set(f.rules)]))}"`;
}

class Page {
  private readonly findings: Map<string, MapFinding>;
  private readonly roles: Map<string, MapRole>;
  private readonly jobWorkflow = new Map<string, MapWorkflow>();
  private readonly assumedBy = new Map<string, MapEdge[]>();
  private seq = 0;

  constructor(private readonly map: TrustMap) {
    this.findings = new Map(map.findings.map((f) => [f.id, f]));
    this.roles = new Map(map.roles.map((r) => [r.id, r]));
    for (const wf of map.workflows) for (const j of wf.jobs) this.jobWorkflow.set(j.id, wf);
    for (const e of map.edges) {
      if (e.kind !== "assumes") continue;
      const list = this.assumedBy.get(e.to) ?? [];
      list.push(e);
      this.assumedBy.set(e.to, list);
    }
  }

  private rulesOf(ids: readonly string[]): string[] {
    return ids.map((id) => this.findings.get(id)?.ruleId ?? "").filter((r) => r !== "");
  }

  private roleFile(id: string): string[] {
    const r = this.roles.get(id);
    return r?.loc ? [r.loc.file] : [];
  }

  private edgesFrom(jobId: string): MapEdge[] {
    return this.map.edges.filter((e) => e.kind === "assumes" && e.from === jobId);
  }

  private jobFacets(wf: MapWorkflow, job: MapJob): Facets {
    const edges = this.edgesFrom(job.id);
    return {
      paths: [wf.file, ...edges.flatMap((e) => this.roleFile(e.to))],
      roles: edges.map((e) => e.to),
      rules: this.rulesOf([...wf.findings, ...job.findings, ...edges.flatMap((e) => e.findings)]),
    };
  }

  private roleFacets(role: MapRole): Facets {
    const edges = this.assumedBy.get(role.id) ?? [];
    return {
      paths: [...this.roleFile(role.id), ...edges.map((e) => this.jobWorkflow.get(e.from)?.file ?? "")],
      roles: [role.id],
      rules: this.rulesOf([...role.findings, ...edges.flatMap((e) => e.findings)]),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Graph

  render(): string {
    const refused = this.map.edges.filter((e) => e.verdict === "refused" || e.verdict === "partial").length;
    const jobs = this.map.workflows.reduce((n, w) => n + w.jobs.length, 0);
    const summary = `${count(this.map.workflows.length, "workflow")}, ${count(jobs, "job")} that can get a token, ${count(this.map.roles.length, "role")}, ${count(this.map.providers.length, "OIDC provider")}; ${count(refused, "refused edge")}, ${count(this.map.findings.length, "finding")}`;
    const body = [
      `<header><h1>OIDC trust map${this.map.repository ? ` of ${esc(this.map.repository)}` : ""}</h1>`,
      `<p class="summary">${esc(summary)}. Default branch <code>${esc(this.map.defaultBranch)}</code>, audience <code>${esc(this.map.audience)}</code>.</p>`,
      `<nav><a href="#graph">Graph</a> · <a href="#jobs">Jobs</a> · <a href="#roles">Roles</a> · <a href="#providers">Providers</a> · <a href="#findings">Findings</a></nav>`,
      this.filters(),
      LEGEND,
      "</header>",
      `<main>`,
      this.graphs(),
      this.jobsTable(),
      this.rolesTable(),
      this.providersTable(),
      this.findingsTable(),
      `</main>`,
    ].join("\n");
    const csp = `default-src 'none'; style-src '${sha(STYLE)}'; script-src '${sha(SCRIPT)}'; base-uri 'none'; form-action 'none'`;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="oidclint map">
<title>OIDC trust map${this.map.repository ? ` — ${esc(this.map.repository)}` : ""}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
<script>${SCRIPT}</script>
</body>
</html>
`;
  }

  private filters(): string {
    const rules = [...new Set(this.map.findings.map((f) => f.ruleId))].sort();
    const roleOptions = this.map.roles.map((r) => `<option value="${esc(r.id)}">${esc(r.label)}</option>`).join("");
    const ruleOptions = rules.map((r) => `<option value="${esc(r)}">${esc(r)}</option>`).join("");
    return `<form id="filters" class="filters" hidden>
<label>Path <input id="f-path" type="search" placeholder="e.g. .github/workflows/deploy or infra/"></label>
<label>Role <select id="f-role"><option value="">any role</option>${roleOptions}</select></label>
<label>Finding <select id="f-rule"><option value="">any or none</option><option value="*">with a finding</option>${ruleOptions}</select></label>
<output id="f-count"></output>
</form>`;
  }

  /** Workflows in pages of about PAGE_JOBS jobs (a workflow is never split); roles no job assumes on a page of their own. */
  private pages(): { title: string; workflows: MapWorkflow[]; roles: MapRole[] }[] {
    const pages: { title: string; workflows: MapWorkflow[]; roles: MapRole[] }[] = [];
    let cur: MapWorkflow[] = [];
    let n = 0;
    const flush = (): void => {
      if (cur.length === 0) return;
      const roleIds = new Set(cur.flatMap((w) => w.jobs.flatMap((j) => this.edgesFrom(j.id).map((e) => e.to))));
      pages.push({ title: "", workflows: cur, roles: this.map.roles.filter((r) => roleIds.has(r.id)) });
      cur = [];
      n = 0;
    };
    for (const wf of this.map.workflows) {
      if (n > 0 && n + wf.jobs.length > PAGE_JOBS) flush();
      cur.push(wf);
      n += wf.jobs.length;
    }
    flush();
    const unassumed = this.map.roles.filter((r) => !this.assumedBy.has(r.id));
    if (unassumed.length > 0 || (pages.length === 0 && this.map.providers.length > 0))
      pages.push({ title: "Roles no linted workflow assumes", workflows: [], roles: unassumed });
    for (const p of pages) {
      if (p.title !== "") continue;
      const first = p.workflows[0]?.file ?? "";
      const last = p.workflows[p.workflows.length - 1]?.file ?? "";
      const jobs = p.workflows.reduce((k, w) => k + w.jobs.length, 0);
      p.title = `${first === last ? first : `${first} … ${last}`} (${count(p.workflows.length, "workflow")}, ${count(jobs, "job")}, ${count(p.roles.length, "role")})`;
    }
    return pages;
  }

  private graphs(): string {
    const pages = this.pages();
    const out = [`<section id="graph"><h2>Graph</h2>`];
    if (pages.length === 0)
      out.push(
        `<p class="empty">No workflow job that can get an OIDC token, no role trusting GitHub, no provider in the linted files.</p>`,
      );
    pages.forEach((p, i) => {
      const open = i === 0 || pages.length <= 3 ? " open" : "";
      out.push(
        `<details class="page"${open}><summary>${pages.length > 1 ? `Page ${i + 1} of ${pages.length}: ` : ""}${esc(p.title)}</summary>`,
        this.svg(p.workflows, p.roles),
        `</details>`,
      );
    });
    out.push("</section>");
    return out.join("\n");
  }

  private node(lines: string[], kind: string): LayoutNode & { lines: string[]; kind: string } {
    const shown = lines.map(cut);
    const width = Math.ceil(Math.max(...shown.map((l) => Array.from(l).length), 8) * CHAR_W + 2 * PAD);
    return { id: `n${++this.seq}`, width, height: shown.length * LINE_H + 2 * PAD - 4, lines, kind };
  }

  private svg(workflows: MapWorkflow[], roles: MapRole[]): string {
    type Drawn = LayoutNode & {
      lines: string[];
      kind: string;
      mapId: string;
      facets: Facets;
      findings: string[];
      extra?: string;
    };
    const nodes: Drawn[] = [];
    const ids = new Map<string, string>();
    const add = (
      mapId: string,
      lines: string[],
      kind: string,
      facets: Facets,
      findings: string[],
      extra?: string,
    ): void => {
      const n = { ...this.node(lines, kind), mapId, facets, findings, ...(extra ? { extra } : {}) };
      ids.set(mapId, n.id);
      nodes.push(n);
    };
    const edges: (LayoutEdge & { edge?: MapEdge; facets: Facets })[] = [];
    for (const wf of workflows) {
      add(
        wf.id,
        [wf.file, `${wf.name ? `${wf.name} · ` : ""}on ${wf.triggers.join(", ") || "(no trigger)"}`],
        "workflow",
        {
          paths: [wf.file],
          roles: wf.jobs.flatMap((j) => this.edgesFrom(j.id).map((e) => e.to)),
          rules: this.rulesOf(wf.findings),
        },
        wf.findings,
      );
      for (const job of wf.jobs) {
        const sub = job.situations.find((s) => s.sub !== null)?.sub;
        add(
          job.id,
          [jobTitle(job), jobDetail(job), ...(sub ? [`sub ${sub}`] : [])],
          "job",
          this.jobFacets(wf, job),
          job.findings,
        );
        edges.push({
          id: `e${++this.seq}`,
          from: ids.get(wf.id) ?? "",
          to: ids.get(job.id) ?? "",
          facets: this.jobFacets(wf, job),
        });
      }
    }
    const providers = new Set<string>();
    for (const role of roles) {
      const subs = role.conditions.filter((c) => c.claim === "sub" && c.effect === "Allow").flatMap((c) => c.values);
      add(
        role.id,
        [role.label, roleDetail(role), ...(subs.length > 0 ? [`sub ${subs.join(", ")}`] : [])],
        role.defined || role.loc ? "role" : "role external",
        this.roleFacets(role),
        role.findings,
      );
      for (const p of role.providers) providers.add(p);
    }
    for (const p of this.map.providers) {
      if (!providers.has(p.id) && workflows.length > 0) continue;
      add(
        p.id,
        [providerTitle(p), providerDetail(p)],
        "provider",
        {
          paths: [p.loc.file],
          roles: this.map.roles.filter((r) => r.providers.includes(p.id)).map((r) => r.id),
          rules: this.rulesOf(p.findings),
        },
        p.findings,
      );
    }
    for (const e of this.map.edges) {
      const from = ids.get(e.from);
      const to = ids.get(e.to);
      if (!from || !to) continue;
      const marked = e.verdict === "refused" || e.verdict === "partial";
      const facets: Facets =
        e.kind === "assumes"
          ? {
              paths: [this.jobWorkflow.get(e.from)?.file ?? "", ...this.roleFile(e.to)],
              roles: [e.to],
              rules: this.rulesOf(e.findings),
            }
          : { paths: this.roleFile(e.from), roles: [e.from], rules: this.rulesOf(e.findings) };
      edges.push({
        id: `e${++this.seq}`,
        from,
        to,
        edge: e,
        facets,
        ...(marked ? { label: { width: 84, height: 16 } } : {}),
      });
    }
    const lay = layoutGraph(nodes, edges);
    const parts: string[] = [];
    parts.push(
      `<div class="scroll"><svg xmlns="http://www.w3.org/2000/svg" class="graph" width="${lay.width}" height="${lay.height}" viewBox="0 0 ${lay.width} ${lay.height}" role="img" aria-label="trust graph">`,
    );
    parts.push(
      `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="arrowhead"/></marker></defs>`,
    );
    for (const e of edges) {
      const placed = lay.edges.get(e.id);
      if (!placed || placed.points.length === 0) continue;
      const d = placed.points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x},${p.y}`).join("");
      const m = e.edge;
      const verdict: Verdict | "structure" = m ? (m.kind === "trusts" ? "structure" : m.verdict) : "structure";
      const tip = m?.kind === "assumes" ? edgeTip(m, this.roles.get(m.to)) : m ? "trusts this provider" : "";
      const cls = `edge ${verdict}${m && m.findings.length > 0 ? " has-finding" : ""}`;
      parts.push(
        `<g class="${cls}"${m ? ` data-id="${esc(m.id)}" data-verdict="${verdict}"` : ""}${facetAttrs(e.facets)}>${tip ? `<title>${esc(tip)}</title>` : ""}<path d="${d}" marker-end="url(#arrow)"/>`,
      );
      if (placed.label && m)
        parts.push(
          `<text class="edge-label" x="${placed.label.x}" y="${placed.label.y + 4}" text-anchor="middle">✖ ${m.verdict === "refused" ? "refused" : "partly"}</text>`,
        );
      parts.push(`</g>`);
    }
    for (const n of nodes) {
      const p = lay.nodes.get(n.id);
      if (!p) continue;
      const tip =
        n.lines.join("\n") +
        (n.findings.length > 0
          ? `\n${n.findings
              .map((id) => this.findings.get(id))
              .map((f) => (f ? `${f.severity}: ${f.ruleId}: ${f.message}` : ""))
              .join("\n")}`
          : "");
      parts.push(
        `<g class="node ${n.kind}${n.findings.length > 0 ? " has-finding" : ""}" data-id="${esc(n.mapId)}"${facetAttrs(n.facets)} transform="translate(${p.x},${p.y})"><title>${esc(tip)}</title>`,
      );
      parts.push(`<rect width="${n.width}" height="${n.height}" rx="${n.kind === "provider" ? 14 : 4}"/>`);
      n.lines.forEach((l, i) =>
        parts.push(
          `<text x="${PAD}" y="${PAD + 12 + i * LINE_H}"${i === 0 ? ' class="head"' : ""}>${esc(cut(l))}</text>`,
        ),
      );
      if (n.findings.length > 0)
        parts.push(
          `<g class="badge" transform="translate(${n.width},0)"><circle r="9"/><text text-anchor="middle" y="4">${n.findings.length}</text></g>`,
        );
      parts.push(`</g>`);
    }
    parts.push(`</svg></div>`);
    return parts.join("\n");
  }

  // -------------------------------------------------------------------------------------------
  // Tables

  private findingCells(ids: readonly string[]): string {
    const list = ids.map((id) => this.findings.get(id)).filter((f): f is MapFinding => f !== undefined);
    if (list.length === 0) return "";
    return `<ul class="findings">${list.map((f) => `<li class="${f.severity}"><a href="${esc(f.docs)}">${esc(f.ruleId)}</a> ${escCode(f.message)} <span class="loc">${esc(`${f.loc.file}:${f.loc.line}:${f.loc.column}`)}</span></li>`).join("")}</ul>`;
  }

  private conditionsCell(edge: MapEdge, role: MapRole | undefined): string {
    const s = edge.situations?.find((x) => x.verdict === "refused") ?? edge.situations?.[0];
    if (!s || !role) return "";
    const items = s.claims.map((c) => {
      const conds = c.conditions.map((id) => role.conditions.find((x) => x.id === id)).filter((x) => x !== undefined);
      const text = conds.map((x) => `${x.operator} ${x.values.join(", ")} (${x.loc.file}:${x.loc.line})`).join("; ");
      return `<li class="${c.verdict}">${c.verdict === "accepts" ? "✔" : c.verdict === "refuses" ? "✖" : "?"} <code>${esc(c.claim)}</code> ${esc(c.verdict)}: ${esc(text)}</li>`;
    });
    return items.length > 0 ? `<ul class="conds">${items.join("")}</ul>` : "";
  }

  private jobsTable(): string {
    const many = this.map.workflows.length > OPEN_GROUPS;
    const out = [`<section id="jobs"><h2>Jobs</h2>`];
    if (this.map.workflows.length === 0) out.push(`<p class="empty">No workflow job that can get an OIDC token.</p>`);
    for (const wf of this.map.workflows) {
      const rows: string[] = [];
      let flagged = wf.findings.length > 0;
      for (const job of wf.jobs) {
        const edges = this.edgesFrom(job.id);
        const triggers = job.situations
          .map(
            (s) =>
              `<li>${esc(s.event)}${s.description ? ` ${escCode(s.description)}` : ""}: <code>${esc(s.sub ?? `cannot be predicted${s.unknownWhy ? ` (${s.unknownWhy})` : ""}`)}</code></li>`,
          )
          .join("");
        const jobCells = `<td>${esc(jobTitle(job))}<div class="loc">${esc(`${job.loc.file}:${job.loc.line}`)}</div></td><td>${job.environment === null ? "" : esc(job.environment)}</td><td><ul class="plain">${triggers}</ul></td>`;
        for (const e of edges.length > 0 ? edges : [undefined]) {
          const role = e ? this.roles.get(e.to) : undefined;
          const findings = [...job.findings, ...(e?.findings ?? [])];
          if (findings.length > 0 || e?.verdict === "refused" || e?.verdict === "partial") flagged = true;
          const facets: Facets = {
            paths: [wf.file, ...(e ? this.roleFile(e.to) : [])],
            roles: e ? [e.to] : [],
            rules: this.rulesOf([...wf.findings, ...findings]),
          };
          const aud = e?.situations?.[0]?.aud ?? "";
          const verdict = e
            ? `<span class="verdict ${e.verdict}">${esc(VERDICT_TEXT[e.verdict])}</span>${edgeSub(e) && e.verdict !== "accepted" ? `<div><code>${esc(edgeSub(e) ?? "")}</code></div>` : ""}`
            : `<span class="verdict unknown">assumes no AWS role</span>`;
          rows.push(
            `<tr${facetAttrs(facets)}${e ? ` data-verdict="${e.verdict}"` : ""}>${jobCells}<td>${e ? `${esc(role?.label ?? e.role ?? "")}<div class="loc">${esc(role ? roleDetail(role) : "")}</div>` : ""}</td><td>${esc(aud)}</td><td>${verdict}</td><td>${e ? this.conditionsCell(e, role) : ""}</td><td>${this.findingCells(findings)}</td></tr>`,
          );
        }
      }
      const open = !many || flagged ? " open" : "";
      out.push(
        `<details class="group"${open}${facetAttrs({ paths: [wf.file], roles: [], rules: [] })}><summary>${esc(workflowTitle(wf))} <span class="muted">${esc(`${count(wf.jobs.length, "job")}, on ${wf.triggers.join(", ") || "no trigger"}`)}</span>${flagged ? ' <span class="flag">✖</span>' : ""}</summary>`,
        wf.findings.length > 0 ? this.findingCells(wf.findings) : "",
        `<div class="wide"><table><thead><tr><th>Job</th><th>Environment</th><th>Triggers → sub</th><th>Role</th><th>aud</th><th>Verdict</th><th>Conditions</th><th>Findings</th></tr></thead><tbody>`,
        ...rows,
        `</tbody></table></div></details>`,
      );
    }
    out.push("</section>");
    return out.join("\n");
  }

  private rolesTable(): string {
    const rows = this.map.roles.map((r) => {
      const conds = r.conditions
        .map(
          (c) =>
            `<li>${c.effect === "Deny" ? "Deny " : ""}<code>${esc(c.claim)}</code> ${esc(c.operator)} ${esc(c.values.join(", "))} <span class="loc">${esc(`${c.loc.file}:${c.loc.line}`)}</span></li>`,
        )
        .join("");
      const by = (this.assumedBy.get(r.id) ?? []).map((e) => {
        const wf = this.jobWorkflow.get(e.from);
        const job = wf?.jobs.find((j) => j.id === e.from);
        return `<li><span class="verdict ${e.verdict}">${e.verdict === "accepted" ? "✔" : e.verdict === "refused" || e.verdict === "partial" ? "✖" : "?"}</span> ${esc(`${wf?.file ?? ""} › ${job ? jobTitle(job) : ""}`)}</li>`;
      });
      const providers = r.providers
        .map((id) => this.map.providers.find((p) => p.id === id))
        .map((p) => (p ? esc(providerTitle(p)) : ""));
      return `<tr${facetAttrs(this.roleFacets(r))}><td>${esc(r.label)}<div class="loc">${esc(roleDetail(r))}</div></td><td><ul class="plain">${conds}</ul></td><td>${providers.join("<br>")}</td><td><ul class="plain">${by.join("")}</ul></td><td>${this.findingCells(r.findings)}</td></tr>`;
    });
    return `<section id="roles"><h2>Roles</h2>${rows.length === 0 ? `<p class="empty">No role trusting GitHub in the linted files.</p>` : `<table><thead><tr><th>Role</th><th>Conditions</th><th>Providers</th><th>Assumed by</th><th>Findings</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`}</section>`;
  }

  private providersTable(): string {
    const rows = this.map.providers.map((p) => {
      const roles = this.map.roles.filter((r) => r.providers.includes(p.id));
      return `<tr${facetAttrs({ paths: [p.loc.file], roles: roles.map((r) => r.id), rules: this.rulesOf(p.findings) })}><td>${esc(providerTitle(p))}<div class="loc">${esc(`${p.resource} — ${p.loc.file}:${p.loc.line}`)}</div></td><td>${esc(providerDetail(p).replace(/^aud: /, ""))}</td><td>${roles.map((r) => esc(r.label)).join("<br>")}</td><td>${this.findingCells(p.findings)}</td></tr>`;
    });
    return `<section id="providers"><h2>OIDC providers</h2>${rows.length === 0 ? `<p class="empty">No OIDC provider defined in the linted files.</p>` : `<table><thead><tr><th>Provider</th><th>Audiences (client IDs)</th><th>Roles trusting it</th><th>Findings</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`}</section>`;
  }

  private findingsTable(): string {
    const label = (id: string): string => {
      const role = this.roles.get(id);
      if (role) return `role ${role.label}`;
      const wf = this.jobWorkflow.get(id);
      if (wf) return `job ${wf.file} › ${wf.jobs.find((j) => j.id === id)?.job ?? ""}`;
      const edge = this.map.edges.find((e) => e.id === id);
      if (edge) return `edge ${edge.from.replace(/^job:/, "")} → ${this.roles.get(edge.to)?.label ?? edge.to}`;
      return id.replace(/^(workflow|provider):/, "$1 ");
    };
    const rows = this.map.findings.map((f) => {
      const on = f.on.map((id) => esc(label(id))).join("<br>");
      const roles = f.on.flatMap((id) =>
        this.roles.has(id) ? [id] : this.map.edges.filter((e) => e.id === id).map((e) => e.to),
      );
      return `<tr class="${f.severity}"${facetAttrs({ paths: [f.loc.file], roles, rules: [f.ruleId] })}><td>${esc(f.severity)}</td><td><a href="${esc(f.docs)}">${esc(f.ruleId)}</a></td><td>${escCode(f.message)}</td><td class="loc">${esc(`${f.loc.file}:${f.loc.line}:${f.loc.column}`)}</td><td>${on}</td></tr>`;
    });
    return `<section id="findings"><h2>Findings</h2>${rows.length === 0 ? `<p class="empty">No finding.</p>` : `<table><thead><tr><th>Severity</th><th>Rule</th><th>Message</th><th>Where</th><th>On</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`}</section>`;
  }
}

function edgeTip(e: MapEdge, role: MapRole | undefined): string {
  const lines = [`${VERDICT_TEXT[e.verdict]}: assumes ${e.role ?? ""}${role?.loc ? ` (${roleDetail(role)})` : ""}`];
  for (const s of e.situations ?? [])
    lines.push(
      `on ${s.event}${s.description ? ` ${s.description}` : ""}: sub ${s.sub ?? "(cannot be predicted)"}, aud ${s.aud ?? "(not known)"} → ${s.verdict}`,
    );
  return lines.join("\n");
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

function sha(text: string): string {
  return `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;
}

const LEGEND = `<p class="legend"><svg width="16" height="10" aria-hidden="true"><line x1="0" y1="5" x2="16" y2="5" class="l-accepted"/></svg> accepted
<svg width="16" height="10" aria-hidden="true"><line x1="0" y1="5" x2="16" y2="5" class="l-refused"/></svg> refused (AccessDenied predicted)
<svg width="16" height="10" aria-hidden="true"><line x1="0" y1="5" x2="16" y2="5" class="l-partial"/></svg> refused on some runs
<svg width="16" height="10" aria-hidden="true"><line x1="0" y1="5" x2="16" y2="5" class="l-unknown"/></svg> cannot be decided / role not in the linted files
<span class="badge-legend">1</span> findings on the node</p>`;

const STYLE = `
:root{--ok:#2e7d32;--bad:#c62828;--part:#e65100;--unk:#757575;--fg:#1b1b1b;--muted:#5f6368;--line:#d0d7de;--bg:#fff}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg);margin:0 1.5rem 3rem}
h1{font-size:1.4rem;margin:1rem 0 .2rem}h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:1px solid var(--line)}
code,.loc,svg.graph text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
.summary,.muted,.loc{color:var(--muted)}.loc{font-size:12px}
nav a{color:#0b57d0}
.legend{font-size:13px;color:var(--muted)}
.legend line{stroke-width:2.5}.l-accepted{stroke:var(--ok)}.l-refused{stroke:var(--bad);stroke-dasharray:5 3}.l-partial{stroke:var(--part);stroke-dasharray:5 3}.l-unknown{stroke:var(--unk);stroke-dasharray:2 3}
.badge-legend{display:inline-block;background:var(--bad);color:#fff;border-radius:9px;min-width:16px;text-align:center;font-size:11px}
.filters{display:flex;gap:1rem;flex-wrap:wrap;align-items:center;padding:.5rem .7rem;background:#f6f8fa;border:1px solid var(--line);border-radius:6px}
.filters input{width:18rem}
.wide{overflow-x:auto}
.scroll{overflow:auto;border:1px solid var(--line);border-radius:6px;max-height:80vh}
details.page>summary,details.group>summary{cursor:pointer;padding:.3rem 0;font-weight:600}
svg.graph{display:block}
svg.graph text{font-size:12px;fill:var(--fg)}
svg.graph text.head{font-weight:700}
.node rect{fill:#fff;stroke:#8c959f;stroke-width:1.2}
.node.workflow rect{fill:#f6f8fa}
.node.job rect{fill:#eef4ff;stroke:#5b7fcf}
.node.role rect{fill:#fff8e6;stroke:#b7891a}
.node.role.external rect{fill:#f5f5f5;stroke:var(--unk);stroke-dasharray:4 3}
.node.provider rect{fill:#eefaf0;stroke:#3f8f4f}
.node.has-finding rect{stroke:var(--bad);stroke-width:2.2}
.badge circle{fill:var(--bad)}.badge text{fill:#fff!important;font-size:11px!important;font-weight:700}
.edge path{fill:none;stroke:#8c959f;stroke-width:1.4}
.edge.accepted path{stroke:var(--ok);stroke-width:2}
.edge.refused path{stroke:var(--bad);stroke-width:2.6;stroke-dasharray:7 4}
.edge.partial path{stroke:var(--part);stroke-width:2.4;stroke-dasharray:7 4}
.edge.unknown path,.edge.unresolved path{stroke:var(--unk);stroke-dasharray:2 3}
.arrowhead{fill:#57606a}
.edge-label{font-size:11px!important;font-weight:700;fill:var(--bad)!important;paint-order:stroke;stroke:#fff;stroke-width:4px}
.dim{opacity:.12}
table{border-collapse:collapse;width:100%;margin:.3rem 0 1rem;font-size:13px}
th,td{border:1px solid var(--line);padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
ul.plain,ul.conds,ul.findings{margin:0;padding-left:1rem}
.verdict{font-weight:600}.verdict.accepted,.conds .accepts{color:var(--ok)}.verdict.refused,.conds .refuses{color:var(--bad)}.verdict.partial{color:var(--part)}.verdict.unknown,.verdict.unresolved{color:var(--unk)}
.findings li.error,tr.error td:first-child{color:var(--bad)}.findings li.warning,tr.warning td:first-child{color:var(--part)}
.flag{color:var(--bad)}
.empty{color:var(--muted);font-style:italic}
[hidden]{display:none!important}
`;

/** Progressive enhancement: the page is complete without it. */
const SCRIPT = `
(function () {
  var form = document.getElementById("filters");
  if (!form) return;
  form.hidden = false;
  var path = document.getElementById("f-path"), role = document.getElementById("f-role"), rule = document.getElementById("f-rule"), shown = document.getElementById("f-count");
  function list(el, name) { try { return JSON.parse(el.getAttribute("data-" + name) || "[]"); } catch (e) { return []; } }
  function matches(el) {
    var p = path.value.trim().toLowerCase(), r = role.value, f = rule.value;
    if (p && !list(el, "paths").some(function (x) { return x.toLowerCase().indexOf(p) >= 0; })) return false;
    if (r && list(el, "roles").indexOf(r) < 0) return false;
    var rules = list(el, "rules");
    if (f === "*" ? rules.length === 0 : f && rules.indexOf(f) < 0) return false;
    return true;
  }
  function apply() {
    var active = path.value.trim() !== "" || role.value !== "" || rule.value !== "", rows = 0, visible = 0;
    document.querySelectorAll("svg.graph [data-paths]").forEach(function (el) { el.classList.toggle("dim", active && !matches(el)); });
    document.querySelectorAll("tbody tr[data-paths]").forEach(function (tr) { var ok = !active || matches(tr); tr.hidden = !ok; rows++; if (ok) visible++; });
    document.querySelectorAll("details.group").forEach(function (d) { var any = d.querySelector("tbody tr:not([hidden])"); d.hidden = !any; if (active && any) d.open = true; });
    shown.textContent = active ? visible + " of " + rows + " rows" : "";
  }
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
})();
`;

export function renderHtml(map: TrustMap): string {
  return new Page(map).render();
}

import type { TrustMap } from "./graph.js";
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

/**
 * `--format mermaid`: a flowchart (workflow files as subgraphs of their jobs, roles, providers; the
 * refused edges dashed and red). Node ids are generated; every label is quoted and every character
 * outside a small safe set is written as a Mermaid entity (`#60;`), so nothing from the repository can
 * end a label, open a link or inject markup.
 */

const SAFE = /[A-Za-z0-9 .,:/@*_=+?!()-]/;

export function mermaidText(s: string): string {
  let out = "";
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 32;
    if (code < 32 || code === 127) out += " ";
    else out += SAFE.test(ch) ? ch : `#${code};`;
  }
  return out;
}

function label(lines: string[]): string {
  return `"${lines
    .filter((l) => l !== "")
    .map(mermaidText)
    .join("<br/>")}"`;
}

export function renderMermaid(map: TrustMap): string {
  const ids = new Map<string, string>();
  const idOf = (key: string): string => {
    let id = ids.get(key);
    if (!id) ids.set(key, (id = `n${ids.size + 1}`));
    return id;
  };
  const lines = ["flowchart LR"];
  map.workflows.forEach((wf) => {
    lines.push(`  subgraph ${idOf(wf.id)}[${label([workflowTitle(wf)])}]`);
    for (const job of wf.jobs) lines.push(`    ${idOf(job.id)}[${label([jobTitle(job), jobDetail(job)])}]`);
    lines.push("  end");
  });
  for (const role of map.roles) lines.push(`  ${idOf(role.id)}[${label([role.label, roleDetail(role)])}]`);
  for (const p of map.providers) lines.push(`  ${idOf(p.id)}[(${label([providerTitle(p), providerDetail(p)])})]`);
  const classes: Record<string, string[]> = { unresolved: [], finding: [] };
  let edgeIndex = 0;
  const edgeClass: Record<string, string[]> = { refused: [], partial: [] };
  for (const e of map.edges) {
    const from = idOf(e.from);
    const to = idOf(e.to);
    if (e.kind === "trusts") {
      lines.push(`  ${from} --> ${to}`);
    } else {
      const sub = edgeSub(e);
      const text = label([
        VERDICT_TEXT[e.verdict],
        e.verdict === "refused" || e.verdict === "partial" ? (sub ?? "") : "",
      ]);
      lines.push(
        e.verdict === "refused" || e.verdict === "partial"
          ? `  ${from} -.->|${text}| ${to}`
          : `  ${from} -->|${text}| ${to}`,
      );
      edgeClass[e.verdict]?.push(String(edgeIndex));
    }
    edgeIndex++;
  }
  for (const r of map.roles) if (!r.defined && r.loc === null) classes.unresolved?.push(idOf(r.id));
  const withFindings = [...map.workflows.flatMap((w) => w.jobs), ...map.roles, ...map.providers].filter(
    (n) => n.findings.length > 0,
  );
  for (const n of withFindings) classes.finding?.push(idOf(n.id));
  lines.push("  classDef finding stroke:#c62828,stroke-width:2px");
  lines.push("  classDef unresolved stroke-dasharray:4 3,fill:#f5f5f5");
  for (const [name, members] of Object.entries(classes))
    if (members.length > 0) lines.push(`  class ${members.join(",")} ${name}`);
  if (edgeClass.refused && edgeClass.refused.length > 0)
    lines.push(`  linkStyle ${edgeClass.refused.join(",")} stroke:#c62828,stroke-width:2px`);
  if (edgeClass.partial && edgeClass.partial.length > 0)
    lines.push(`  linkStyle ${edgeClass.partial.join(",")} stroke:#ef6c00,stroke-width:2px`);
  return `${lines.join("\n")}\n`;
}

/** Markdown punctuation and HTML escaped, for a table cell of GitHub-flavoured Markdown. */
export function markdownText(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f]/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`);
}

/** Above this many nodes the job summary keeps the table and leaves the diagram to `--format html`. */
export const MARKDOWN_MAX_NODES = 120;

/** `--format markdown`: a summary table per job and role, then the flowchart (for GitHub's job summary). */
export function renderMarkdown(map: TrustMap): string {
  const jobs = map.workflows.flatMap((w) => w.jobs.map((j) => ({ w, j })));
  const refused = map.edges.filter((e) => e.verdict === "refused" || e.verdict === "partial").length;
  const out = [
    "## OIDC trust map",
    "",
    `${map.workflows.length} workflow${map.workflows.length === 1 ? "" : "s"}, ${jobs.length} job${jobs.length === 1 ? "" : "s"} that can get a token, ${map.roles.length} role${map.roles.length === 1 ? "" : "s"}, ${map.providers.length} provider${map.providers.length === 1 ? "" : "s"}; ${refused} refused edge${refused === 1 ? "" : "s"}, ${map.findings.length} finding${map.findings.length === 1 ? "" : "s"}.`,
    "",
    "| Workflow | Job | Triggers | Role | Verdict | sub | Findings |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  const roleLabel = new Map(map.roles.map((r) => [r.id, r.label]));
  for (const { w, j } of jobs) {
    const edges = map.edges.filter((e) => e.kind === "assumes" && e.from === j.id);
    const rows = edges.length > 0 ? edges : [undefined];
    for (const e of rows) {
      const findings = [...j.findings, ...(e?.findings ?? [])].map(
        (id) => map.findings.find((f) => f.id === id)?.ruleId ?? "",
      );
      const cells = [
        w.file,
        jobTitle(j),
        jobDetail(j),
        e ? (roleLabel.get(e.to) ?? e.to) : "(none)",
        e ? VERDICT_TEXT[e.verdict] : "",
        (e ? edgeSub(e) : j.situations[0]?.sub) ?? "",
        [...new Set(findings)].join(", "),
      ];
      out.push(`| ${cells.map(markdownText).join(" | ")} |`);
    }
  }
  const nodes = jobs.length + map.roles.length + map.providers.length;
  out.push("");
  if (nodes <= MARKDOWN_MAX_NODES) out.push("```mermaid", renderMermaid(map).trimEnd(), "```");
  else out.push(`_The diagram is left out at ${nodes} nodes: \`oidclint map --format html\` draws it page by page._`);
  return `${out.join("\n")}\n`;
}

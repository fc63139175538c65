import type { MapEdge, MapJob, MapProvider, MapRole, MapWorkflow, TrustMap, Verdict } from "./graph.js";

/** Plain-text labels shared by the renderers (each escapes them for its own syntax). */

export const VERDICT_TEXT: Record<Verdict, string> = {
  accepted: "accepted",
  refused: "refused: AccessDenied",
  partial: "refused on some runs",
  unknown: "cannot be decided",
  unresolved: "not defined in the linted files",
};

export function jobTitle(job: MapJob): string {
  return job.name && job.name !== job.job ? `${job.job} (${job.name})` : job.job;
}

/** Second line of a job node: triggers and environment. */
export function jobDetail(job: MapJob): string {
  const events = [...new Set(job.situations.map((s) => s.event))];
  const parts = [events.length > 0 ? `on ${events.join(", ")}` : "no trigger"];
  if (job.environment !== null) parts.push(`env: ${job.environment}`);
  return parts.join(" · ");
}

export function roleDetail(role: MapRole): string {
  if (!role.defined && role.loc === null) return "not defined in the linted files";
  const where = role.loc ? `${role.loc.file}:${role.loc.line}` : "";
  return role.resource && role.resource !== role.label ? `${role.resource} — ${where}` : where;
}

export function providerTitle(p: MapProvider): string {
  return p.url ?? p.resource;
}

export function providerDetail(p: MapProvider): string {
  return `aud: ${p.audiences === null ? "(not known)" : p.audiences.length === 0 ? "(none)" : p.audiences.join(", ")}`;
}

/** The sub of an edge's runs, for a short edge label: the refused one first. */
export function edgeSub(edge: MapEdge): string | undefined {
  const s = edge.situations?.find((x) => x.verdict === "refused") ?? edge.situations?.[0];
  return s?.sub ?? undefined;
}

export function workflowTitle(wf: MapWorkflow): string {
  return wf.name ? `${wf.file} (${wf.name})` : wf.file;
}

/** Findings of a node or edge, by id. */
export function findingsOf(map: TrustMap, ids: readonly string[]): TrustMap["findings"] {
  return map.findings.filter((f) => ids.includes(f.id));
}

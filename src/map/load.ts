import { loadProject, type ProjectRequest } from "../engine/load-project.js";
import { runRules } from "../engine/lint.js";
import type { LintReport } from "../engine/result.js";
import type { ResolvedConfig } from "../config/load.js";
import type { ProjectIndex } from "../analysis/project-index.js";

/** The project the map draws (the engine's one pipeline) and the findings of a lint run on it. */
export async function loadMapInput(
  req: ProjectRequest,
): Promise<{ index: ProjectIndex; config: ResolvedConfig; report: LintReport }> {
  const loaded = await loadProject(req);
  return { index: loaded.index, config: loaded.config, report: await runRules(loaded) };
}

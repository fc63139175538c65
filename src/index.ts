/** The library API: `import { lint, formatters, rules } from "oidclint"`. The CLI is a thin shell over it. */
export { lint, type LintOptions } from "./engine/lint.js";
/**
 * `loadProject({ cwd, root?, paths?, contextPaths?, configFile? … })` → `{ root, config, project, sources, reported }`:
 * the one pipeline (config → discover → read → parse → model) that `lint`, `check` and `explain` use; a new
 * command calls it instead of reading files itself. `projectRootOf(file)` is the repository a file belongs to.
 */
export { loadProject, projectRootOf, type LoadedProject, type ProjectRequest } from "./engine/load-project.js";
export type { LintMessage, LintReport, LintResult } from "./engine/result.js";
export { formatters, type Formatter, type FormatMeta } from "./formatters/index.js";
export { rules, rulesById } from "../rules/index.js";
export { defineRule, docsUrl, type Rule, type RuleContext, type RuleMeta, type Severity } from "./engine/rule.js";
export { resolveConfig, ConfigError, type ResolvedConfig } from "./config/load.js";
export type * from "./model/location.js";
export type * from "./model/value.js";
export type * from "./model/policy.js";
export type * from "./model/workflow.js";
export type * from "./model/project.js";

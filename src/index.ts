/** The library API: `import { lint, formatters, rules } from "oidclint"`. The CLI is a thin shell over it. */
export { lint, type LintOptions } from "./engine/lint.js";
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

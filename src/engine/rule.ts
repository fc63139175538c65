import type { ResolvedSettings } from "../config/settings.js";
import type { SourceLocation } from "../model/location.js";
import type { Project } from "../model/project.js";
import type { ProjectIndex } from "../analysis/project-index.js";
import type { Fixer } from "../fix/fixer.js";

export type Severity = "off" | "warn" | "error";

/** The input kinds a rule reads: the engine skips a rule when the project holds none of them (docs and SARIF show them). */
export type RuleInput = "policy" | "provider" | "workflow";

export interface RuleMeta<M extends string> {
  id: string;
  severity: Severity;
  description: string;
  inputs: RuleInput[];
  /**
   * Message templates by id; `{{name}}` placeholders are filled from `data`. A message is one short line
   * (what is wrong and the value involved, ≤ ~120 characters); its `explanation` (why it matters) and
   * `fix` (what to do) are printed under `--verbose` and carried by the json and sarif formats.
   */
  messages: Record<M, MessageTemplate>;
  /** JSON schema of the rule's options object (validated with the config). */
  schema?: Record<string, unknown>;
  /** Whether the `strict` preset turns an `off` rule on, and at which level. */
  strict?: Severity;
  /**
   * Rules this rule leaves a case to (one problem, one finding): it stays silent on that case only while
   * the other rule is on for the file, and asks with `ctx.isOn(id, file)`; with the other rule off, it
   * reports the case itself. Documented on the rule page.
   */
  defersTo?: string[];
  /**
   * `false` for a rule that never reports a `fix` (nor `fixes`): `--fix` runs it only on the pass whose
   * report it prints, not on the passes whose findings are fixed and linted again (src/engine/lint.ts
   * `lintForFixes`). Reporting a fix from such a rule is a rule error.
   */
  fixable?: boolean;
}

/** A message: the short line, or the short line with its explanation and fix. */
export type MessageTemplate = string | { message: string; explanation?: string; fix?: string };

/** A filled message: the short line and, when the rule gives them, its explanation and fix. */
export interface MessageText {
  message: string;
  explanation?: string;
  fix?: string;
}

export interface RelatedLocation {
  message: string;
  loc: SourceLocation;
}

/**
 * One text edit: replace `range` (UTF-16 offsets `[start, end)` into the file as read) of `file` (the
 * repository-relative path, as in locations) by `text`. `loc` is the same range as lines and columns
 * (1-based, end exclusive), for SARIF `replacements` and editors.
 */
export interface TextEdit {
  file: string;
  range: [number, number];
  loc: SourceLocation;
  text: string;
}

/**
 * A fix (ESLint's `fix`, SARIF's `fixes`): edits applied together or not at all, in the file(s) where the
 * values are written. A rule attaches one only when the change is certainly right and keeps the author's
 * formatting and comments; build it with `ctx.fixer` (src/fix/fixer.ts), which returns undefined when the
 * value is not written literally where the model points (a variable, a template, an expression): such a
 * finding gets no fix. Anything less than certain is a `Suggestion` (ESLint's `suggestions`), which
 * `--fix` never applies.
 */
export interface Fix {
  edits: TextEdit[];
}

export interface Suggestion {
  /** What the change does, one short line: "Replace `StringEquals` by `StringLike`". */
  desc: string;
  fix: Fix;
}

export interface Report<M extends string> {
  messageId: M;
  /** Where the finding is: a location or anything located. */
  at: SourceLocation | { loc: SourceLocation };
  data?: Record<string, string | number>;
  /**
   * Lowers this finding below the rule's default level (`broad-sub-wildcard` reports org-wide patterns
   * as warnings while its level is error). Never raises it; a level the user sets for the rule
   * (`rules`, `overrides`, `--rule`) applies to every finding, lowered ones included.
   */
  severity?: "warn";
  related?: RelatedLocation[];
  /** Applied by `--fix` (see `Fix`); `LintMessage.autofix` carries it to the formatters. */
  fix?: Fix | undefined;
  /** Offered, never applied by `--fix`; `LintMessage.suggestions`. */
  suggestions?: Suggestion[];
  /**
   * `fix` and `suggestions` built only when the finding is shown: a finding summed up by the per-rule cap
   * (`maxPerRule`) never builds its edits. For rules whose fixes cost more than the finding.
   */
  fixes?: () => { fix?: Fix | undefined; suggestions?: Suggestion[] };
}

export interface RuleContext<M extends string, O> {
  /**
   * The linted files' model. In `Rule.checkWorkflowFile`, `workflows` and `files` hold the one workflow file
   * handed over; in `check` of a rule that has `checkWorkflowFile`, `workflows` must not be read (`lint` may
   * have dropped them: see `Rule.checkWorkflowFile`).
   */
  project: Project;
  /**
   * The per-run index over `project` (roles by name, policies by file, providers by issuer, local
   * workflows and actions by path): built once per run; cross-file questions go through it.
   */
  index: ProjectIndex;
  settings: ResolvedSettings;
  options: O;
  report(report: Report<M>): void;
  /** Builds fixes and suggestions against the files as written (src/fix/fixer.ts). */
  fixer: Fixer;
  /** Whether a rule named in `meta.defersTo` is on for `file` (asking about another rule throws). */
  isOn(ruleId: string, file: string): boolean;
  /**
   * This rule's own memory for one run, shared by its `check` and its `checkWorkflowFile` calls (what
   * `check` needs to know of every workflow without keeping them); empty when the run starts.
   */
  memo: Record<string, unknown>;
}

export interface Rule<M extends string = string, O = Record<string, unknown>> {
  meta: RuleMeta<M>;
  defaultOptions: O;
  /** The rule's work on the project, called once per run before any `checkWorkflowFile`. */
  check: (ctx: RuleContext<M, O>) => void | Promise<void>;
  /**
   * The rule's work on workflows, one workflow file at a time (issue 13, memory): `ctx.project.workflows`
   * holds the workflows of one file; policies, providers, actions and `ctx.index` are the whole project's
   * (`index.workflowAt` finds the local workflows a job calls). Called once per workflow file, in project
   * order, after `check`. A rule that has it reads workflows only here: when every rule that may read
   * workflows has it, `lint` hands each workflow file over as soon as it is parsed and then drops its model
   * (keeping only the workflows another may call), so a run never holds every workflow at once.
   */
  checkWorkflowFile?: (ctx: RuleContext<M, O>) => void | Promise<void>;
}

export type AnyRule = Rule<string, never>;

export const DOCS_BASE = "https://github.com/oidclint/oidclint/blob/main/rules/";

export function docsUrl(id: string): string {
  return `${DOCS_BASE}${id}.md`;
}

/** Declares a rule. Message ids are typed: reporting an undeclared id does not compile. */
export function defineRule<M extends string, O extends object = Record<string, never>>(rule: {
  meta: RuleMeta<M>;
  defaultOptions?: O;
  /** Default: nothing (a rule whose whole work is `checkWorkflowFile`). */
  check?: (ctx: RuleContext<M, O>) => void | Promise<void>;
  checkWorkflowFile?: (ctx: RuleContext<M, O>) => void | Promise<void>;
}): Rule<M, O> {
  const out: Rule<M, O> = {
    meta: rule.meta,
    defaultOptions: rule.defaultOptions ?? ({} as O),
    check: rule.check ?? (() => undefined),
  };
  if (rule.checkWorkflowFile) out.checkWorkflowFile = rule.checkWorkflowFile;
  return out;
}

export function fillMessage(template: string, data: Record<string, string | number> | undefined): string {
  if (!data) return template;
  const p = placeholders(template);
  let out = p[0] as string;
  // Each placeholder: its name, as written (kept when the data lacks the name), the text after it.
  for (let i = 1; i < p.length; i += 3) {
    const name = p[i] as string;
    out += (name in data ? String(data[name]) : (p[i + 1] as string)) + (p[i + 2] as string);
  }
  return out;
}

/**
 * A template split at its `{{name}}` placeholders, once per template (every finding of a rule fills the same
 * few): the text before the first, then for each its name, its text as written, and the text after it.
 */
function placeholders(template: string): readonly string[] {
  let known = splitTemplates.get(template);
  if (known === undefined) {
    const out: string[] = [];
    const re = /\{\{\s*(\w+)\s*\}\}/g;
    let last = 0;
    for (let m = re.exec(template); m; m = re.exec(template)) {
      out.push(template.slice(last, m.index), m[1] ?? "", m[0]);
      last = m.index + m[0].length;
    }
    out.push(template.slice(last));
    if (splitTemplates.size >= 1000) splitTemplates.clear();
    splitTemplates.set(template, (known = out));
  }
  return known;
}

const splitTemplates = new Map<string, readonly string[]>();

/** Fills the short line of a message template only. */
export function fillShortMessage(
  template: MessageTemplate | undefined,
  fallback: string,
  data: Record<string, string | number> | undefined,
): string {
  if (template === undefined) return fallback;
  return fillMessage(typeof template === "string" ? template : template.message, data);
}

/** Fills every part of a message template. */
export function fillMessageText(
  template: MessageTemplate | undefined,
  fallback: string,
  data: Record<string, string | number> | undefined,
): MessageText {
  const out: MessageText = { message: fillShortMessage(template, fallback, data) };
  if (template === undefined || typeof template === "string") return out;
  if (template.explanation) out.explanation = fillMessage(template.explanation, data);
  if (template.fix) out.fix = fillMessage(template.fix, data);
  return out;
}

export function locOf(at: SourceLocation | { loc: SourceLocation }): SourceLocation {
  return "loc" in at ? at.loc : at;
}

import { absolutePath as absoluteOf } from "./discover.js";
import { applyRuleSettings, type ResolvedConfig, type RuleConfig } from "../config/load.js";
import type { SourceLocation } from "../model/location.js";
import type { ParsedFile, Project, RepoStatus } from "../model/project.js";
import type { ProjectIndex } from "../analysis/project-index.js";
import { githubSubValues } from "../analysis/sub-pattern.js";
import { fetchRepoStatuses } from "./online.js";
import { rules as builtinRules } from "../../rules/index.js";
import { ENGINE_RULES, isEngineRule, withEngineRules } from "./rules/index.js";
import { addFingerprints } from "./fingerprint.js";
import { pathUnderRoot, repositoryRoot } from "../formatters/repo-path.js";
import { matchesAny } from "./glob.js";
import { isWorkflowYamlPath } from "../parsers/formats.js";
import { loadProject, type LoadedProject, type ProjectRequest } from "./load-project.js";
import { capPerRule, compareMessages, type LintMessage, type LintReport, type LintResult } from "./result.js";
import {
  fillMessageText,
  fillShortMessage,
  locOf,
  type AnyRule,
  type Fix,
  type MessageTemplate,
  type Report,
  type RuleContext,
  type RuleInput,
  type Severity,
  type Suggestion,
} from "./rule.js";
import { createFixer, type Fixer } from "../fix/fixer.js";
import type { WorkflowFiles } from "./workflow-stream.js";
import { applySuppressions, collectSuppressions, type Suppression } from "./suppressions.js";
import { compareText } from "./collate.js";

/**
 * What to lint: the files of `paths` (default the working directory), with `contextPaths` read for
 * cross-file rules but not reported on (the rest of the repository when a pre-commit hook passes only
 * the staged files). See `ProjectRequest` for every option.
 */
export type LintOptions = ProjectRequest & {
  /**
   * At most this many findings per rule and file, the rest summed up in one finding (`capPerRule`); the
   * error and warning counts still count every finding. Default 0: every finding (the CLI's default is
   * `DEFAULT_MAX_PER_RULE`).
   */
  maxPerRule?: number;
  /**
   * Whether each message carries its `fingerprint` (default true). The CLI leaves them out for a report whose
   * format prints none (stylish, github, markdown) and that no baseline reads: computing them reads again the
   * files the run released.
   */
  fingerprints?: boolean;
};

/**
 * Loads the project (`loadProject`) and runs every enabled rule on it. When every rule that may read workflows
 * reads them one file at a time (`Rule.checkWorkflowFile`), each workflow file is handed to the rules as soon as
 * it is parsed and its model then dropped (src/engine/workflow-stream.ts): the run never holds every workflow.
 */
export async function lint(options: LintOptions = {}): Promise<LintReport> {
  return (await lintFindings(options)).complete();
}

/** A report whose messages are completed when `complete` is called (`toReport`). */
export interface PendingReport {
  report: LintReport;
  complete(): LintReport;
}

/** A pass of `--fix` (`lintForFixes`). */
export interface FixPass extends PendingReport {
  /**
   * The whole report of the same texts: the rules that cannot fix run now, on the project already loaded. With
   * `shownPerRule`, at most that many findings per rule and file are shown (`capPerRule`), and only those are
   * completed.
   */
  whole(shownPerRule?: number): Promise<PendingReport>;
}

/**
 * A lint for `--fix`'s passes: only the rules that may fix run (`RuleMeta.fixable`), and the report's
 * messages carry their edits (`autofix`) and nothing else of what they print (explanation, advice,
 * related places, suggestions, fingerprint) until `complete` is called. A pass whose findings are fixed
 * is linted again and never printed: the other rules' findings and most of a finding's cost (what it
 * prints) would be thrown away. The pass that is printed calls `whole`, which runs the other rules on the
 * same project and gives, once completed, exactly the report `lint` gives. Workflows are kept for that (not
 * handed to the rules one file at a time and dropped).
 */
export async function lintForFixes(options: LintOptions = {}): Promise<FixPass> {
  const rules = withEngineRules(options.rules ?? builtinRules);
  // Every text is kept: the fixes read the texts the rules saw (`sourceReader`).
  const loaded = await loadProject({
    workflowPrefilter: options.rules === undefined,
    ...options,
    rules,
  });
  const run = await (await RuleRun.start(loaded, rules, cannotFix)).everyWorkflowFile(loaded);
  const maxPerRule = options.maxPerRule ?? 0;
  const fingerprints = options.fingerprints !== false;
  return {
    ...run.finish(loaded, maxPerRule, true, fingerprints),
    async whole(shownPerRule) {
      await (await run.startLater(loaded)).everyWorkflowFile(loaded);
      return run.finish(loaded, shownPerRule ?? maxPerRule, true, fingerprints);
    },
  };
}

/** Lines and columns below this make a finding's place one exact number (`line * PLACES + column` < 2^53). */
const PLACES = 2 ** 26;

/** The length from which a finding's data string is shared run-wide (`RuleRun.context`). */
const SHARED_STRING_LENGTH = 32;

/** A rule that never fixes: left out of the passes of `--fix` whose findings are not printed. */
function cannotFix(rule: AnyRule): boolean {
  return rule.meta.fixable === false;
}

async function lintFindings(options: LintOptions): Promise<PendingReport> {
  const rules = withEngineRules(options.rules ?? builtinRules);
  const started: { run?: RuleRun } = {};
  const workflowFiles: WorkflowFiles = async (others) => {
    const run = await RuleRun.start(others, rules);
    started.run = run;
    return (file, order, against) => run.workflowFile(file, order, against);
  };
  // The workflow pre-filter knows what the built-in rules read; custom rules may read anything.
  // Only suppression comments need a file's text after parsing: the rest is released as each file is parsed.
  const loaded = await loadProject({
    workflowPrefilter: options.rules === undefined,
    ...options,
    rules,
    releaseTexts: true,
    ...(rules.every(readsWorkflowsPerFile) ? { workflowFiles } : {}),
  });
  const run = started.run ?? (await (await RuleRun.start(loaded, rules)).everyWorkflowFile(loaded));
  return run.finish(loaded, options.maxPerRule ?? 0, false, options.fingerprints !== false);
}

/** Whether a rule reads workflows, if at all, one workflow file at a time (the engine's own read no model). */
function readsWorkflowsPerFile(rule: AnyRule): boolean {
  const { inputs } = rule.meta;
  return (
    rule.checkWorkflowFile !== undefined || (inputs.length > 0 && !inputs.includes("workflow")) || isEngineRule(rule)
  );
}

function severityNumber(s: Severity): 0 | 1 | 2 {
  return s === "error" ? 2 : s === "warn" ? 1 : 0;
}

/** Rule severities for one file: the config's, then each matching `overrides` entry in order. */
function rulesForFile(
  config: ResolvedConfig,
  path: string,
  cache: Map<string, Map<string, RuleConfig>>,
): Map<string, RuleConfig> {
  if (config.overrides.length === 0) return config.rules;
  const matching = config.overrides.filter((o) => matchesAny(path, o.files));
  const key = matching.map((o) => config.overrides.indexOf(o)).join(",");
  let out = cache.get(key);
  if (!out) {
    out = matching.reduce((acc, o) => applyRuleSettings(acc, o.rules), config.rules);
    cache.set(key, out);
  }
  return out;
}

interface RawFinding {
  rule: AnyRule;
  messageId: string;
  /** The short line, filled at once (findings are sorted and told apart by it). */
  message: string;
  /** The rule's template and data: explanation and fix are filled only for the findings shown. */
  template?: MessageTemplate | undefined;
  data?: Record<string, string | number> | undefined;
  loc: SourceLocation;
  lowered: boolean;
  related?: Report<string>["related"];
  autofix?: Fix;
  suggestions?: Suggestion[];
  /** `Report.fixes`: built only if the finding is shown. */
  fixes?: Report<string>["fixes"];
}

/** Whether the project holds anything of the kinds a rule reads (a rule declaring none always runs). */
function canFire(rule: AnyRule, loaded: LoadedProject): boolean {
  const { project } = loaded;
  const { inputs } = rule.meta;
  if (skippedWithContext(rule, loaded.reported)) return false;
  const present: Record<RuleInput, boolean> = {
    policy: project.policies.length > 0,
    provider: project.providers.length > 0,
    workflow: project.workflows.length > 0 || project.actions.length > 0,
  };
  return inputs.length === 0 || inputs.some((i) => present[i]);
}

/**
 * With `--context`, a built-in rule that reads no workflows is skipped when only workflows and actions are
 * reported: its findings are on policies and providers, all of them in context files, none of them reported
 * (and in the CLI bundle, the rule is then not even loaded).
 */
function skippedWithContext(rule: AnyRule, reported: ReadonlySet<string>): boolean {
  const { inputs } = rule.meta;
  return inputs.length > 0 && !inputs.includes("workflow") && builtinRules.includes(rule) && onlyWorkflowsIn(reported);
}

/**
 * Whether every reported path is a workflow or action: asked per rule and pass, computed once per set (and
 * again only if the set grew meanwhile).
 */
function onlyWorkflowsIn(reported: ReadonlySet<string>): boolean {
  const known = onlyWorkflows.get(reported);
  if (known?.size === reported.size) return known.only;
  const only = [...reported].every((path) => isWorkflowYamlPath(path));
  onlyWorkflows.set(reported, { size: reported.size, only });
  return only;
}

const onlyWorkflows = new WeakMap<ReadonlySet<string>, { size: number; only: boolean }>();

/** Every enabled rule on a project already loaded (`map` draws the project it lints). */
export async function runRules(
  loaded: LoadedProject,
  rules: readonly AnyRule[] = withEngineRules(builtinRules),
  maxPerRule = 0,
): Promise<LintReport> {
  return (await (await RuleRun.start(loaded, rules)).everyWorkflowFile(loaded))
    .finish(loaded, maxPerRule, false, true)
    .complete();
}

/** A rule's finding with its place in the order the rules made them with every model kept (see `RuleRun`). */
interface Ordered {
  finding: RawFinding;
  /** Index of the rule in the run's rules. */
  rule: number;
  /** -1: from `check`; else the `order` of the workflow file handed to `checkWorkflowFile`. */
  file: number;
}

/**
 * One run of the rules: `check` of each rule on the project once (`start`), then `checkWorkflowFile` on each
 * workflow file (as it is parsed, or all at once on a loaded project), then the report (`finish`). Findings
 * are reported in the order of a run that called each rule on the whole project in turn — rule by rule, in
 * each rule `check`'s findings first, then the workflow files' in project order — whenever the files came.
 */
class RuleRun {
  private readonly ordered: Ordered[] = [];
  private readonly ruleErrors = new Map<number, { ruleId: string; message: string }>();
  /** Per rule: its options, its memo (`RuleContext.memo`) and the rules it defers to. */
  private readonly own = new Map<AnyRule, { options: object; memo: Record<string, unknown>; defersTo: Set<string> }>();
  private readonly cache = new Map<string, Map<string, RuleConfig>>();
  /** The strings of findings' data, one copy each (`report`). */
  private readonly strings = new Map<string, string>();
  /** Rules that read workflows one file at a time, with their index among `rules`. */
  private readonly perFile: { rule: AnyRule; at: number }[];
  /** Whether a rule runs now; the rules `later` names run only when `startLater` is called. */
  private now: (rule: AnyRule) => boolean;

  private constructor(
    private readonly rules: readonly AnyRule[],
    private readonly config: ResolvedConfig,
    private readonly fixer: Fixer,
    private readonly repoStatuses: ReadonlyMap<string, RepoStatus> | undefined,
    reported: LoadedProject["reported"],
    private readonly later: ((rule: AnyRule) => boolean) | undefined,
  ) {
    this.now = (rule) => later?.(rule) !== true;
    this.perFile = rules
      .map((rule, at) => ({ rule, at }))
      .filter(
        ({ rule }) =>
          rule.checkWorkflowFile !== undefined &&
          !isEngineRule(rule) &&
          isOnAnywhere(config, rule.meta.id) &&
          !skippedWithContext(rule, reported),
      );
  }

  /**
   * Runs `check` of every enabled rule that can fire on the project (`loaded`: every file but workflow files'
   * own part), except those `later` names (see `startLater`).
   */
  static async start(
    loaded: LoadedProject,
    rules: readonly AnyRule[],
    later?: (rule: AnyRule) => boolean,
  ): Promise<RuleRun> {
    const { project, config } = loaded;
    if (config.settings.online) project.repoStatuses = await lookUpRepositories(project, config);
    const run = new RuleRun(
      rules,
      config,
      createFixer(sourceReader(loaded)),
      project.repoStatuses,
      loaded.reported,
      later,
    );
    await run.checkAll(loaded);
    return run;
  }

  /** `check` of the rules `later` left out, on the same project; their `checkWorkflowFile` is what runs next. */
  async startLater(loaded: LoadedProject): Promise<this> {
    const later = this.later;
    if (!later) throw new Error("no rules were left for later");
    this.now = later;
    await this.checkAll(loaded);
    return this;
  }

  private async checkAll(loaded: LoadedProject): Promise<void> {
    const { project, config } = loaded;
    for (const [at, rule] of this.rules.entries()) {
      if (!this.now(rule) || isEngineRule(rule) || !isOnAnywhere(config, rule.meta.id) || !canFire(rule, loaded))
        continue;
      await this.call(at, () => rule.check(this.context(rule, at, -1, project, loaded.index)));
    }
  }

  /** `checkWorkflowFile` of every rule that has it on one workflow file, read against `against`'s project. */
  async workflowFile(file: ParsedFile, order: number, against: LoadedProject): Promise<void> {
    if (this.perFile.length === 0) return;
    const project: Project = { ...against.project, files: [file], workflows: file.workflows };
    if (this.repoStatuses) project.repoStatuses = this.repoStatuses;
    for (const { rule, at } of this.perFile)
      if (this.now(rule))
        await this.call(at, () => rule.checkWorkflowFile?.(this.context(rule, at, order, project, against.index)));
  }

  /** `checkWorkflowFile` on each workflow file of a project loaded whole, in project order. */
  async everyWorkflowFile(loaded: LoadedProject): Promise<this> {
    let order = 0;
    for (const file of loaded.project.files)
      if (file.workflows.length > 0) await this.workflowFile(file, order++, loaded);
    return this;
  }

  /**
   * Runs one rule's part; a rule that throws loses its findings of that part (of that file), never the other
   * rules' or files' (the CLI exits 2 and says so: the first error of each rule).
   */
  private call(at: number, work: () => void | Promise<void>): void | Promise<void> {
    const failed = (e: unknown): void => {
      if (process.env.OIDCLINT_DEBUG) console.error(e);
      const rule = this.rules[at];
      if (rule && !this.ruleErrors.has(at))
        this.ruleErrors.set(at, { ruleId: rule.meta.id, message: e instanceof Error ? e.message : String(e) });
    };
    try {
      const done = work();
      if (done instanceof Promise) return done.catch(failed);
    } catch (e) {
      failed(e);
    }
  }

  private context(
    rule: AnyRule,
    at: number,
    file: number,
    project: Project,
    index: ProjectIndex,
  ): RuleContext<string, never> {
    let own = this.own.get(rule);
    if (!own) {
      const configured = this.config.rules.get(rule.meta.id);
      own = {
        options: { ...(rule.defaultOptions as object), ...(configured?.options ?? {}) },
        memo: {},
        defersTo: new Set(rule.meta.defersTo ?? []),
      };
      this.own.set(rule, own);
    }
    const { options, memo, defersTo } = own;
    const { rules, config, cache, ordered, strings } = this;
    // A finding's data is kept until the report is made: its long strings are the run's shared copies (the same
    // role, allowed subs and fix text recur across thousands of findings; a built string is a rope of its pieces).
    // Short ones are left as they are: a copy costs little, and looking each up costs more than it saves.
    const shared = (data: Record<string, string | number>): Record<string, string | number> => {
      for (const k in data) {
        const v = data[k];
        if (typeof v !== "string" || v.length < SHARED_STRING_LENGTH) continue;
        const known = strings.get(v);
        if (known === undefined) strings.set(v, v);
        else data[k] = known;
      }
      return data;
    };
    return {
      project,
      index,
      settings: config.settings,
      options: options as never,
      fixer: this.fixer,
      memo,
      isOn(ruleId, path) {
        if (!defersTo.has(ruleId))
          throw new Error(`rule ${rule.meta.id} asks whether ${ruleId} is on without declaring it in meta.defersTo`);
        return (
          rules.some((r) => r.meta.id === ruleId) &&
          (rulesForFile(config, path, cache).get(ruleId)?.severity ?? "off") !== "off"
        );
      },
      report(r: Report<string>) {
        if (rule.meta.fixable === false && (r.fix !== undefined || r.fixes !== undefined))
          throw new Error(`rule ${rule.meta.id} reports a fix but declares meta.fixable: false`);
        const template = rule.meta.messages[r.messageId];
        const f: RawFinding = {
          rule,
          messageId: r.messageId,
          message: fillShortMessage(template, r.messageId, r.data),
          template,
          data: r.data && shared(r.data),
          loc: locOf(r.at),
          lowered: r.severity === "warn",
        };
        if (r.related) f.related = r.related;
        if (r.fix) f.autofix = r.fix;
        if (r.suggestions && r.suggestions.length > 0) f.suggestions = r.suggestions;
        if (r.fixes) f.fixes = r.fixes;
        ordered.push({ finding: f, rule: at, file });
      },
    };
  }

  /**
   * The report: what parsers could not read (`parse-error`), then the rules' findings in their order; with
   * `fixesOnly`, its messages are completed by `complete` (`toReport`); with `fingerprints`, they carry them.
   */
  finish(loaded: LoadedProject, maxPerRule: number, fixesOnly: boolean, fingerprints: boolean): PendingReport {
    const parsed = loaded.project.files;
    if (this.repoStatuses) loaded.project.repoStatuses = this.repoStatuses;
    const findings: RawFinding[] = parsed.flatMap((file) =>
      file.problems.map((p) => ({
        rule: ENGINE_RULES.parseError as unknown as AnyRule,
        messageId: "unparsable",
        message: p.message,
        ...(p.detail === undefined ? {} : { template: { message: p.message, explanation: p.detail } }),
        loc: p.loc,
        lowered: false,
      })),
    );
    this.ordered.sort((a, b) => a.rule - b.rule || a.file - b.file);
    for (const o of this.ordered) findings.push(o.finding);
    // A parse that never finished is reported on its file, and makes the run incomplete like a rule that throws.
    const ruleErrors: NonNullable<LintReport["ruleErrors"]> = parsed.flatMap((file) =>
      file.problems
        .filter((p) => p.unfinished)
        .map(() => ({ ruleId: ENGINE_RULES.parseError.meta.id, message: `${file.file}: its parser never finished` })),
    );
    for (const [, e] of [...this.ruleErrors].sort(([a], [b]) => a - b)) ruleErrors.push(e);
    const out = toReport(
      findings,
      loaded,
      this.fixer,
      new Set(parsed.map((f) => f.file)),
      this.rules,
      maxPerRule,
      fixesOnly,
      fingerprints,
    );
    const { report } = out;
    if (ruleErrors.length > 0) report.ruleErrors = ruleErrors;
    const failed = [...(this.repoStatuses ?? new Map<string, RepoStatus>())].filter(([, st]) => st.kind === "error");
    if (failed.length > 0)
      report.onlineFailures = failed.map(([repo, st]) => `${repo}: ${st.kind === "error" ? st.message : ""}`);
    return out;
  }
}

/**
 * How fixes read a file: the text the run parsed when it kept it (`--fix`'s passes keep every text), else the
 * file as read for the project (`LoadedProject.readFile`). A 1 MiB policy is then not read and decoded again.
 */
function sourceReader(loaded: LoadedProject): (file: string) => string | undefined {
  let kept: Map<string, string> | undefined;
  return (file) => {
    if (!kept) {
      kept = new Map();
      for (const src of loaded.sources) if (src.text !== "") kept.set(src.path, src.text);
    }
    return kept.get(file) ?? loaded.readFile(file);
  };
}

/** A rule that is on in the config, or that an `overrides` entry sets for some files. */
function isOnAnywhere(config: ResolvedConfig, id: string): boolean {
  return config.rules.get(id)?.severity !== "off" || config.overrides.some((o) => o.rules[id] !== undefined);
}

/** `--online`: the exact repositories of sub conditions, looked up once each before the rules run. */
async function lookUpRepositories(project: Project, config: ResolvedConfig): Promise<Map<string, RepoStatus>> {
  const repos: string[] = [];
  for (const v of githubSubValues(project.policies, config.settings)) {
    const { owner, repo, canMatch } = v.analysis;
    if (canMatch && owner !== undefined && repo !== undefined) repos.push(`${owner}/${repo}`);
  }
  const env = process.env;
  return fetchRepoStatuses(repos, {
    apiUrl: env.GITHUB_API_URL ?? "https://api.github.com",
    ...(env.GITHUB_TOKEN ? { token: env.GITHUB_TOKEN } : {}),
  });
}

/**
 * The report of a run's findings. With `fixesOnly`, each message shown carries only its edits until
 * `complete` fills in the rest (in place: the report and its results stay the same objects); without, the
 * report is complete at once. Without `fingerprints`, messages carry no `fingerprint`.
 */
function toReport(
  findings: RawFinding[],
  loaded: LoadedProject,
  fixer: Fixer,
  understood: Set<string>,
  rules: readonly AnyRule[],
  maxPerRule: number,
  fixesOnly: boolean,
  fingerprints: boolean,
): PendingReport {
  const { config, root: cwd, reported } = loaded;
  const byFile = new Map<string, LintMessage[]>();
  const cache = new Map<string, Map<string, RuleConfig>>();
  // What a message was made from: its explanation, fix, related places and edits are made (and
  // `Report.fixes` built) only for the findings shown, not for those the per-rule cap sums up.
  const raw = new Map<LintMessage, RawFinding>();
  const paths = new Map<string, string>();
  const absolutePath = (file: string): string => {
    let out = paths.get(file);
    if (out === undefined) paths.set(file, (out = absoluteOf(cwd, file)));
    return out;
  };
  const absolute = (fix: Fix): Fix => ({
    edits: fix.edits.map((e) => ({
      ...e,
      file: absolutePath(e.file),
      loc: { ...e.loc, file: absolutePath(e.loc.file) },
    })),
  });
  const complete = (m: LintMessage): LintMessage => {
    const f = raw.get(m);
    if (!f) return m;
    const out: LintMessage = {
      ruleId: m.ruleId,
      messageId: m.messageId,
      severity: m.severity,
      ...fillMessageText(f.template, f.message, f.data),
      line: m.line,
      column: m.column,
      endLine: m.endLine,
      endColumn: m.endColumn,
    };
    const related = [...(f.related ?? []), ...(f.loc.via ? [f.loc.via] : []), ...(merged.get(f)?.related ?? [])];
    if (related.length > 0) {
      out.related = related.map((r) => ({
        message: r.message,
        file: absolutePath(r.loc.file),
        line: r.loc.line,
        column: r.loc.column,
        endLine: r.loc.endLine,
        endColumn: r.loc.endColumn,
      }));
    }
    const others = merged.get(f)?.others ?? 0;
    if (others > 0 && out.explanation !== undefined)
      out.explanation += ` (Reported once for ${String(others + 1)} evaluations of this code, e.g. module instances.)`;
    const built = builtFixes(f);
    const fix = built.fix ?? f.autofix;
    const suggestions = [...(f.suggestions ?? []), ...(built.suggestions ?? [])];
    if (fix) out.autofix = absolute(fix);
    if (suggestions.length > 0) out.suggestions = suggestions.map((s) => ({ desc: s.desc, fix: absolute(s.fix) }));
    return out;
  };
  // `Report.fixes` of each finding shown, built once (a fixes-only message, then its completion).
  const built = new Map<RawFinding, ReturnType<NonNullable<RawFinding["fixes"]>>>();
  const builtFixes = (f: RawFinding): ReturnType<NonNullable<RawFinding["fixes"]>> => {
    let b = built.get(f);
    if (b === undefined) built.set(f, (b = f.fixes?.() ?? {}));
    return b;
  };
  /** A message with its edits only, for a fixes-only report (`complete` makes it whole from the same finding). */
  const withFix = (m: LintMessage): LintMessage => {
    const f = raw.get(m);
    if (!f) return m;
    const fix = builtFixes(f).fix ?? f.autofix;
    if (fix) m.autofix = absolute(fix);
    return m;
  };
  const texts = new Map<string, string>();
  const unfinished: { out: LintResult; file: string }[] = [];
  const finish = (out: LintResult, file: string): void => {
    out.messages = out.messages.map(complete);
    // A text the run released after parsing (it held no suppression comment) is read again, unless a fix read
    // it: a fingerprint must not depend on whether the file mentions oidclint.
    if (fingerprints && out.messages.length > 0)
      addFingerprints(
        out.messages,
        fromRoot(file),
        texts.get(file) ?? fixer.sourceRead(file) ?? loaded.readFile(file) ?? "",
      );
  };
  const shown = (file: string, all: LintMessage[]): LintResult => {
    const out = result(absolutePath(file), all, maxPerRule);
    if (fixesOnly) {
      out.messages = out.messages.map(withFix);
      unfinished.push({ out, file });
    } else finish(out, file);
    return out;
  };
  // One problem, one finding: the same rule never says the same thing twice at one place. The model
  // lowers each instance of a module call, `for_each` or `count` on its own (their values differ); where
  // several give the same short line at the same place, that is one place to fix, reported once. Their
  // explanations may differ only in where the value came from: the first is kept, the others counted; a
  // place reached through several calls (one template rendered for several roles) names each call.
  // The first finding of each rule at each place; a later one there with another short line, by place and line.
  // (By rule id, file and place, the place a number where it fits: no key string is built per finding.)
  const atPlace = new Map<string, Map<string, Map<number | string, RawFinding>>>();
  const atPlaceByMessage = new Map<string, RawFinding>();
  const merged = new Map<RawFinding, { related: NonNullable<RawFinding["related"]>; others: number }>();
  const repeats = (f: RawFinding): boolean => {
    const { line, column, file } = f.loc;
    let byFile = atPlace.get(f.rule.meta.id);
    if (!byFile) atPlace.set(f.rule.meta.id, (byFile = new Map<string, Map<number | string, RawFinding>>()));
    let byPlace = byFile.get(file);
    if (!byPlace) byFile.set(file, (byPlace = new Map<number | string, RawFinding>()));
    const place = line < PLACES && column < PLACES ? line * PLACES + column : `${line}:${column}`;
    let first = byPlace.get(place);
    if (!first) {
      byPlace.set(place, f);
      return false;
    }
    if (first.message !== f.message) {
      const full = `${f.rule.meta.id}\0${file}\0${line}:${column}\0${f.message}`;
      first = atPlaceByMessage.get(full);
      if (!first) {
        atPlaceByMessage.set(full, f);
        return false;
      }
    }
    const m = merged.get(first) ?? { related: [], others: 0 };
    merged.set(first, m);
    const seen = [...(first.related ?? []), ...(first.loc.via ? [first.loc.via] : []), ...m.related];
    for (const r of [...(f.related ?? []), ...(f.loc.via ? [f.loc.via] : [])])
      if (!seen.some((e) => e.loc.file === r.loc.file && e.loc.line === r.loc.line && e.loc.column === r.loc.column))
        m.related.push(r);
    if (f.template !== first.template || JSON.stringify(f.data) !== JSON.stringify(first.data)) m.others++;
    return true;
  };
  for (const f of findings) {
    // A place in a file read through an input (a Terraform template file) is reported when that input is.
    if (!reported.has(f.loc.file) && !(f.loc.via && reported.has(f.loc.via.loc.file))) continue;
    const configured = rulesForFile(config, f.loc.file, cache).get(f.rule.meta.id);
    let severity = severityNumber(configured?.severity ?? f.rule.meta.severity);
    if (severity === 0) continue;
    // A default tier (org-wide patterns as warnings) yields to a level the user wrote for the rule.
    if (f.lowered && configured?.explicit !== true) severity = 1;
    if (repeats(f)) continue;
    const message: LintMessage = {
      ruleId: f.rule.meta.id,
      messageId: f.messageId,
      severity,
      message: f.message,
      line: f.loc.line,
      column: f.loc.column,
      endLine: f.loc.endLine,
      endColumn: f.loc.endColumn,
    };
    raw.set(message, f);
    const list = byFile.get(f.loc.file) ?? [];
    list.push(message);
    byFile.set(f.loc.file, list);
  }

  const unusedRule = ENGINE_RULES.unusedSuppression;
  const root = repositoryRoot(cwd);
  const fromRoot = (file: string): string => pathUnderRoot(root, cwd, file) ?? file;
  const results: LintResult[] = [];
  for (const src of loaded.sources) {
    // Files that are not inputs of any kind (package.json, unrelated YAML) are not results.
    if (!reported.has(src.path) || !understood.has(src.path)) continue;
    let messages = byFile.get(src.path) ?? [];
    const suppressions: Suppression[] = collectSuppressions(src.path, src.text);
    if (suppressions.length > 0) {
      const level = rulesForFile(config, src.path, cache).get(unusedRule.meta.id)?.severity ?? unusedRule.meta.severity;
      messages = applySuppressions(messages, suppressions, {
        unusedSeverity: severityNumber(level),
        requireReason: config.requireSuppressionReason,
        messages: unusedRule.meta.messages,
        knownRuleIds: new Set(rules.map((r) => r.meta.id)),
      });
    }
    byFile.delete(src.path);
    if (src.text !== "") texts.set(src.path, src.text);
    results.push(shown(src.path, messages));
  }
  // Findings on files that were not inputs themselves (problems of unreadable files).
  for (const [file, messages] of byFile) results.push(shown(file, messages));
  results.sort((a, b) => compareText(a.filePath, b.filePath));
  const report: LintReport = {
    results,
    filesLinted: results.length,
    errorCount: results.reduce((n, r) => n + r.errorCount, 0),
    warningCount: results.reduce((n, r) => n + r.warningCount, 0),
  };
  return {
    report,
    complete() {
      for (const { out, file } of unfinished.splice(0)) finish(out, file);
      return report;
    },
  };
}

/** A file's result: its messages sorted, at most `maxPerRule` per rule (`capPerRule`), every finding counted. */
function result(filePath: string, messages: LintMessage[], maxPerRule: number): LintResult {
  messages.sort(compareMessages);
  return {
    filePath,
    messages: capPerRule(messages, maxPerRule),
    errorCount: messages.filter((m) => m.severity === 2).length,
    warningCount: messages.filter((m) => m.severity === 1).length,
  };
}

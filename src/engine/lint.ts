import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { applyRuleSettings, resolveConfig, type ResolvedConfig, type RuleConfig } from "../config/load.js";
import { fileStart, type SourceLocation } from "../model/location.js";
import { buildProject, emptyParsed, type ParsedFile, type Project, type RepoStatus } from "../model/project.js";
import { githubSubValues } from "../analysis/sub-pattern.js";
import { fetchRepoStatuses } from "./online.js";
import { inputKind, parseAll } from "../parsers/index.js";
import type { ParseEnv, SourceFile } from "../parsers/source.js";
import { rules as allRules } from "../../rules/index.js";
import { discover, readInput, relPath } from "./discover.js";
import { addFingerprints } from "./fingerprint.js";
import { pathUnderRoot, repositoryRoot } from "../formatters/repo-path.js";
import { matchesAny } from "./glob.js";
import { compareMessages, type LintMessage, type LintReport, type LintResult } from "./result.js";
import { fillMessageText, locOf, type AnyRule, type MessageText, type Report, type Severity } from "./rule.js";
import { applySuppressions, collectSuppressions, type Suppression } from "./suppressions.js";

export interface LintOptions {
  /** Files, directories or globs to lint (default: the working directory). */
  paths?: string[];
  cwd?: string;
  configFile?: string;
  /** `--rule id:level`. */
  ruleOverrides?: Record<string, Severity>;
  /** Content given on stdin, linted as if it were the file `stdinFilename`. */
  stdin?: { text: string; filename: string };
  /**
   * Extra paths read for cross-file rules but not reported on (the rest of the repository when a
   * pre-commit hook passes only the staged files).
   */
  contextPaths?: string[];
  online?: boolean;
  /** An already resolved config (the CLI resolves it once for all commands). */
  config?: ResolvedConfig;
}

/** Resolves the config, discovers and parses the inputs, runs every enabled rule. */
export async function lint(options: LintOptions = {}): Promise<LintReport> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const config =
    options.config ??
    (await resolveConfig({
      cwd,
      rules: allRules,
      ...(options.configFile ? { configFile: options.configFile } : {}),
      ...(options.ruleOverrides ? { ruleOverrides: options.ruleOverrides } : {}),
      ...(options.online ? { online: true } : {}),
    }));
  const { sources, problems } = await loadSources(options, cwd, config);
  const env: ParseEnv = {
    root: cwd,
    settings: config.settings,
    readFile(rel) {
      try {
        return readFileSync(resolve(cwd, rel), "utf8");
      } catch {
        return undefined;
      }
    },
  };
  const parsed = [...problems, ...(await parseAll(sources.all, env))];
  // Only suppression comments need a file's text after parsing: let the rest be collected.
  for (const src of sources.all) if (!src.text.includes("oidclint-")) src.text = "";
  return runRules(parsed, sources, config, cwd);
}

interface Sources {
  all: SourceFile[];
  /** Relative paths whose findings are reported. */
  reported: Set<string>;
}

async function loadSources(options: LintOptions, cwd: string, config: ResolvedConfig): Promise<{ sources: Sources; problems: ParsedFile[] }> {
  const all: SourceFile[] = [];
  const reported = new Set<string>();
  const problems: ParsedFile[] = [];
  const seen = new Set<string>();
  const add = (abs: string, text: string, report: boolean): void => {
    const path = relPath(cwd, abs);
    if (seen.has(path)) {
      if (report) reported.add(path);
      return;
    }
    seen.add(path);
    all.push({ path, abs, text });
    if (report) reported.add(path);
  };
  const readAll = (files: string[], report: boolean, explicit: Set<string>): void => {
    for (const abs of files) {
      const outcome = readInput(abs);
      if ("text" in outcome) add(abs, outcome.text, report);
      else if ("problem" in outcome && report && (explicit.has(abs) || isAlwaysInput(relPath(cwd, abs)))) {
        const path = relPath(cwd, abs);
        reported.add(path);
        const loc = outcome.line === undefined ? fileStart(path) : { file: path, line: outcome.line, column: outcome.column ?? 1, endLine: outcome.line, endColumn: (outcome.column ?? 1) + 1 };
        problems.push({ ...emptyParsed(path, "unknown"), problems: [{ message: outcome.problem, loc }] });
      }
    }
  };
  if (options.stdin) {
    add(resolve(cwd, options.stdin.filename), options.stdin.text, true);
  } else {
    const paths = options.paths && options.paths.length > 0 ? options.paths : ["."];
    const files = await discover(paths, cwd, config.ignore);
    const explicit = new Set(paths.map((p) => resolve(cwd, p)));
    readAll(files, true, explicit);
  }
  if (options.contextPaths && options.contextPaths.length > 0) {
    readAll(await discover(options.contextPaths, cwd, config.ignore), false, new Set());
  }
  return { sources: { all, reported }, problems };
}

/** Files that are inputs by their path alone, so an unreadable one is worth a finding. */
function isAlwaysInput(path: string): boolean {
  return inputKind(path) === "terraform" || /(^|\/)\.github\/workflows\/|(^|\/)action\.ya?ml$/.test(path);
}

function severityNumber(s: Severity): 0 | 1 | 2 {
  return s === "error" ? 2 : s === "warn" ? 1 : 0;
}

/** Rule severities for one file: the config's, then each matching `overrides` entry in order. */
function rulesForFile(config: ResolvedConfig, path: string, cache: Map<string, Map<string, RuleConfig>>): Map<string, RuleConfig> {
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
  text: MessageText;
  loc: SourceLocation;
  lowered: boolean;
  related?: Report<string>["related"];
}

async function runRules(parsed: ParsedFile[], sources: Sources, config: ResolvedConfig, cwd: string): Promise<LintReport> {
  const project = buildProject(cwd, parsed);
  if (config.settings.online) project.repoStatuses = await lookUpRepositories(project, config);
  const findings: RawFinding[] = [];
  const parseErrorRule = allRules.find((r) => r.meta.id === "parse-error");
  for (const file of parsed) {
    for (const p of file.problems) {
      if (parseErrorRule) findings.push({ rule: parseErrorRule, messageId: "unparsable", text: { message: p.message }, loc: p.loc, lowered: false });
    }
  }
  for (const rule of allRules) {
    const configured = config.rules.get(rule.meta.id);
    const anyOn = configured?.severity !== "off" || config.overrides.some((o) => o.rules[rule.meta.id] !== undefined);
    if (!anyOn) continue;
    const options = { ...(rule.defaultOptions as object), ...(configured?.options ?? {}) } as never;
    await rule.check({
      project,
      settings: config.settings,
      options,
      report(r: Report<string>) {
        findings.push({
          rule,
          messageId: r.messageId,
          text: fillMessageText(rule.meta.messages[r.messageId], r.messageId, r.data),
          loc: locOf(r.at),
          lowered: r.severity === "warn",
          ...(r.related ? { related: r.related } : {}),
        });
      },
    });
  }
  return toReport(findings, sources, new Set(parsed.map((f) => f.file)), config, cwd);
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

function toReport(findings: RawFinding[], sources: Sources, understood: Set<string>, config: ResolvedConfig, cwd: string): LintReport {
  const byFile = new Map<string, LintMessage[]>();
  const cache = new Map<string, Map<string, RuleConfig>>();
  const seen = new Set<string>();
  for (const f of findings) {
    if (!sources.reported.has(f.loc.file)) continue;
    const configured = rulesForFile(config, f.loc.file, cache).get(f.rule.meta.id);
    let severity = severityNumber(configured?.severity ?? f.rule.meta.severity);
    if (severity === 0) continue;
    // A default tier (org-wide patterns as warnings) yields to a level the user wrote for the rule.
    if (f.lowered && configured?.explicit !== true) severity = 1;
    // One problem, one finding: the same rule never says the same thing twice at one place.
    const dedupe = `${f.rule.meta.id}\0${f.loc.file}\0${f.loc.line}:${f.loc.column}\0${f.text.message}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    const message: LintMessage = {
      ruleId: f.rule.meta.id,
      messageId: f.messageId,
      severity,
      ...f.text,
      line: f.loc.line,
      column: f.loc.column,
      endLine: f.loc.endLine,
      endColumn: f.loc.endColumn,
    };
    if (f.related) {
      message.related = f.related.map((r) => ({ message: r.message, file: resolve(cwd, r.loc.file), line: r.loc.line, column: r.loc.column, endLine: r.loc.endLine, endColumn: r.loc.endColumn }));
    }
    const list = byFile.get(f.loc.file) ?? [];
    list.push(message);
    byFile.set(f.loc.file, list);
  }

  const unusedRule = allRules.find((r) => r.meta.id === "unused-suppression");
  const root = repositoryRoot(cwd);
  const fromRoot = (file: string): string => pathUnderRoot(root, cwd, file) ?? file;
  const results: LintResult[] = [];
  for (const src of sources.all) {
    // Files that are not inputs of any kind (package.json, unrelated YAML) are not results.
    if (!sources.reported.has(src.path) || !understood.has(src.path)) continue;
    let messages = byFile.get(src.path) ?? [];
    const suppressions: Suppression[] = collectSuppressions(src.path, src.text);
    if (suppressions.length > 0) {
      const level = rulesForFile(config, src.path, cache).get("unused-suppression")?.severity ?? "warn";
      messages = applySuppressions(messages, suppressions, {
        unusedSeverity: severityNumber(level),
        requireReason: config.requireSuppressionReason,
        messages: (unusedRule?.meta.messages ?? {}),
        knownRuleIds: new Set(allRules.map((r) => r.meta.id)),
      });
    }
    byFile.delete(src.path);
    addFingerprints(messages, fromRoot(src.path), src.text);
    results.push(result(resolve(cwd, src.path), messages));
  }
  // Findings on files that were not inputs themselves (problems of unreadable files).
  for (const [file, messages] of byFile) {
    addFingerprints(messages, fromRoot(file), "");
    results.push(result(resolve(cwd, file), messages));
  }
  results.sort((a, b) => a.filePath.localeCompare(b.filePath));
  return {
    results,
    filesLinted: results.length,
    errorCount: results.reduce((n, r) => n + r.errorCount, 0),
    warningCount: results.reduce((n, r) => n + r.warningCount, 0),
  };
}

function result(filePath: string, messages: LintMessage[]): LintResult {
  messages.sort(compareMessages);
  return {
    filePath,
    messages,
    errorCount: messages.filter((m) => m.severity === 2).length,
    warningCount: messages.filter((m) => m.severity === 1).length,
  };
}

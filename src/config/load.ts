import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ErrorObject } from "ajv";
import { compileGlob, GlobError } from "../engine/glob.js";
import { readInput, confinementRoot, type ReadOptions } from "../engine/read-file.js";
import type { AnyRule, Severity } from "../engine/rule.js";
import { eventDefaultBranch, gitFacts } from "./git.js";
import { buildConfigSchema, configSchemaKey, reachesRuleLevels } from "./schema.js";
import { CONFIG_KEYS, defaultSettings, type RawConfig, type ResolvedSettings, type RuleSetting } from "./settings.js";

export const CONFIG_NAME = ".oidclintrc.json";

/** A configuration problem: the CLI prints it and exits 2. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

export type { RawConfig, RuleSetting };

export interface RuleConfig {
  severity: Severity;
  options: Record<string, unknown>;
  /**
   * The level was written by the user (`rules`, `overrides`, `--rule`), not taken from a preset: it then
   * applies to every finding of the rule, including those a rule reports one tier lower by default.
   */
  explicit?: boolean;
}

export interface ResolvedConfig {
  /** Directory that relative paths of the config are resolved against. */
  baseDir: string;
  configFile?: string;
  settings: ResolvedSettings;
  rules: Map<string, RuleConfig>;
  ignore: string[];
  overrides: { files: string[]; rules: Record<string, RuleSetting> }[];
  requireSuppressionReason: boolean;
}

/** `.oidclintrc.json` in `dir` or the nearest directory above it. */
export function findConfig(dir: string): string | undefined {
  let cur = resolve(dir);
  for (;;) {
    const candidate = join(cur, CONFIG_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(cur);
    if (parent === cur) return undefined;
    cur = parent;
  }
}

/** Reads and validates a config file. Throws ConfigError naming the JSON path of each problem. */
export async function readConfig(file: string, rules: readonly AnyRule[], opts: ReadOptions = {}): Promise<RawConfig> {
  const text = readConfigText(file, `Cannot read config ${file}`, opts);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`Config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  await validateConfig(data, file, rules);
  return data as RawConfig;
}

interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * The build compiles the schema of the built-in rules into `validate-config.js`, and that of no rule into
 * `validate-settings.js` (see scripts/build-config-validator.mjs); running from sources, or with another rule
 * set (the config is given the rules, it never imports them), compiles it here with ajv. A config that writes
 * no rule level (`reachesRuleLevels`, most configs) is validated against the schema of no rule: the same
 * verdict and errors, without loading the ~130 KB validator of every rule's options.
 */
async function configValidator(rules: readonly AnyRule[], config: unknown): Promise<Validator> {
  const ruleSet = reachesRuleLevels(config) ? rules : [];
  try {
    // Written by the build next to this module (declared in validate-*.d.ts); the CLI bundle includes them.
    const built = ruleSet.length === 0 ? await import("./validate-settings.js") : await import("./validate-config.js");
    if (built.schemaKey === configSchemaKey(ruleSet)) return built.default;
  } catch {
    // not built: compile below
  }
  const { default: Ajv2020 } = await import("ajv/dist/2020.js");
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  return ajv.compile(buildConfigSchema(ruleSet));
}

export async function validateConfig(data: unknown, file: string, rules: readonly AnyRule[]): Promise<void> {
  const validate = await configValidator(rules, data);
  if (validate(data)) return;
  const details = (validate.errors ?? []).map((e) => {
    const path = e.instancePath === "" ? "(root)" : e.instancePath.slice(1).replace(/\//g, ".");
    const extra =
      e.keyword === "additionalProperties"
        ? ` \`${(e.params as { additionalProperty: string }).additionalProperty}\``
        : e.keyword === "enum"
          ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`
          : "";
    return `${path}: ${e.message ?? "is invalid"}${extra}`;
  });
  throw new ConfigError(`Invalid config ${file}:`, simplify([...new Set(details)]));
}

/**
 * A rule level is `"warn"` or `["warn", {…}]`: for a wrong level ajv reports both `oneOf` branches. Keep the
 * message that names the allowed values, and drop the `oneOf` summary wherever a specific message exists.
 */
function simplify(details: string[]): string[] {
  const pathOf = (d: string): string => d.slice(0, d.indexOf(": "));
  return details.filter((d) => {
    const same = details.filter((o) => pathOf(o) === pathOf(d) && o !== d);
    if (same.length === 0) return true;
    if (d.includes("must match exactly one schema in oneOf")) return false;
    if (d.endsWith(": must be array") && same.some((o) => o.includes("allowed values"))) return false;
    return true;
  });
}

function normaliseSetting(setting: RuleSetting): RuleConfig | { severity: Severity; options?: undefined } {
  if (typeof setting === "string") return { severity: setting };
  const [severity, options] = setting;
  return options ? { severity, options } : { severity };
}

/** Applies rule settings (`"warn"` or `["warn", { … }]`) on top of a map of rule configs. */
export function applyRuleSettings(
  base: Map<string, RuleConfig>,
  settings: Record<string, RuleSetting> | undefined,
): Map<string, RuleConfig> {
  const out = new Map(base);
  for (const [id, setting] of Object.entries(settings ?? {})) {
    const prev = out.get(id);
    const next = normaliseSetting(setting);
    out.set(id, { severity: next.severity, options: next.options ?? prev?.options ?? {}, explicit: true });
  }
  return out;
}

export function presetRules(rules: readonly AnyRule[], preset: RawConfig["extends"]): Map<string, RuleConfig> {
  const out = new Map<string, RuleConfig>();
  for (const r of rules) {
    const severity = preset === "oidclint:strict" && r.meta.strict ? r.meta.strict : r.meta.severity;
    out.set(r.meta.id, { severity, options: {} });
  }
  return out;
}

/**
 * A config or a file it names, read like any input (regular files only, size-bounded); `confineTo` when
 * the file comes from the repository rather than from the command line.
 */
function readConfigText(file: string, what: string, opts: ReadOptions): string {
  const outcome = readInput(file, opts);
  if ("text" in outcome) return outcome.text;
  const problem = "problem" in outcome ? outcome.problem.replace(/^cannot read file: /, "") : "no such file (ENOENT)";
  throw new ConfigError(`${what}: ${problem}`);
}

function readRepositoriesFile(file: string, opts: ReadOptions): string[] {
  const text = readConfigText(file, `repositoriesFile: cannot read ${file}`, opts);
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    try {
      const list = JSON.parse(trimmed) as unknown[];
      return list
        .map((item) => (typeof item === "string" ? item : (item as { nameWithOwner?: unknown }).nameWithOwner))
        .filter((s): s is string => typeof s === "string");
    } catch (e) {
      throw new ConfigError(`repositoriesFile: ${file} looks like JSON but does not parse: ${(e as Error).message}`);
    }
  }
  return trimmed
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, "").trim())
    .filter((l) => l !== "");
}

/** `ignore` and `overrides[].files` compile now, so that a malformed glob is a config error naming its place. */
function checkGlobs(raw: RawConfig, file: string): void {
  const places: [string, string][] = (raw.ignore ?? []).map((g, i) => [`ignore.${i}`, g]);
  (raw.overrides ?? []).forEach((o, i) => {
    if (typeof o.files === "string") places.push([`overrides.${i}.files`, o.files]);
    else o.files.forEach((g, j) => places.push([`overrides.${i}.files.${j}`, g]));
  });
  const details: string[] = [];
  for (const [path, glob] of places) {
    try {
      compileGlob(glob);
    } catch (e) {
      if (!(e instanceof GlobError)) throw e;
      details.push(`${path}: ${e.message}`);
    }
  }
  if (details.length > 0) throw new ConfigError(`Invalid config ${file}:`, details);
}

export interface ConfigRequest {
  cwd: string;
  /** Where to look for `.oidclintrc.json` when there is none at or above `cwd`: the linted paths' common directory. */
  searchFrom?: string;
  configFile?: string;
  rules: readonly AnyRule[];
  /** `--rule id:level` from the command line, applied last. */
  ruleOverrides?: Record<string, RuleSetting>;
  online?: boolean;
  env?: Record<string, string | undefined>;
}

/** Finds, reads, validates and resolves the configuration for one run. */
export async function resolveConfig(req: ConfigRequest): Promise<ResolvedConfig> {
  // The working directory's config (found upward) wins; only without one is the linted paths' config used,
  // so that one repository never lints with two configs depending on which files are passed.
  const configFile = req.configFile
    ? resolve(req.cwd, req.configFile)
    : (findConfig(req.cwd) ??
      (req.searchFrom === undefined ? undefined : findConfig(resolve(req.cwd, req.searchFrom))));
  if (req.configFile && !existsSync(resolve(req.cwd, req.configFile))) {
    throw new ConfigError(`Config file not found: ${req.configFile}`);
  }
  // A config found in the repository, and the files it names, stay inside that repository; a config named
  // on the command line is the user's own choice.
  const confine: ReadOptions =
    configFile && !req.configFile ? { confineTo: confinementRoot(configFile, dirname(configFile)) } : {};
  const raw = configFile ? await readConfig(configFile, req.rules, confine) : {};
  if (configFile) checkGlobs(raw, configFile);
  const baseDir = configFile ? dirname(configFile) : req.cwd;
  for (const id of Object.keys(req.ruleOverrides ?? {})) {
    if (!req.rules.some((r) => r.meta.id === id)) throw new ConfigError(`--rule: unknown rule id \`${id}\``);
  }

  // Every setting the config writes (`CONFIG_KEYS` marked `setting`), over the defaults; then what git,
  // the environment and the files the config names add.
  const settings = defaultSettings();
  const written = settings as unknown as Record<string, unknown>;
  for (const [name, decl] of Object.entries(CONFIG_KEYS)) {
    const value = (raw as Record<string, unknown>)[name];
    if ("setting" in decl && value !== undefined) written[name] = value;
  }
  settings.issuer = settings.issuer.replace(/^https:\/\//, "").replace(/\/$/, "");
  const git = gitFacts(req.cwd);
  const env = req.env ?? process.env;
  const repository = raw.repository ?? git.repository ?? env.GITHUB_REPOSITORY;
  if (repository) settings.repository = repository;
  const defaultBranch = raw.defaultBranch ?? git.defaultBranch ?? eventDefaultBranch(env, settings.repository);
  settings.defaultBranch = defaultBranch ?? CONFIG_KEYS.defaultBranch.default;
  if (defaultBranch === undefined) settings.defaultBranchAssumed = true;
  settings.online = req.online ?? false;
  if (raw.repositories || raw.repositoriesFile) {
    settings.repositories = [
      ...(raw.repositories ?? []),
      ...(raw.repositoriesFile ? readRepositoriesFile(resolve(baseDir, raw.repositoriesFile), confine) : []),
    ];
  }

  let ruleConfigs = presetRules(req.rules, raw.extends);
  ruleConfigs = applyRuleSettings(ruleConfigs, raw.rules);
  ruleConfigs = applyRuleSettings(ruleConfigs, req.ruleOverrides);

  const resolved: ResolvedConfig = {
    baseDir,
    settings,
    rules: ruleConfigs,
    ignore: raw.ignore ?? [...CONFIG_KEYS.ignore.default],
    overrides: (raw.overrides ?? []).map((o) => ({
      files: typeof o.files === "string" ? [o.files] : o.files,
      rules: o.rules ?? {},
    })),
    requireSuppressionReason: raw.requireSuppressionReason ?? CONFIG_KEYS.requireSuppressionReason.default,
  };
  if (configFile) resolved.configFile = configFile;
  return resolved;
}

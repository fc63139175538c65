import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseOptions, wantsHelp } from "./args.js";
import type { CliIO } from "./io.js";
import { CONFIG_NAME } from "../config/load.js";
import { gitFacts } from "../config/git.js";
import { buildConfigSchema } from "../config/schema.js";
import { defaultSettings, exampleConfigValues } from "../config/settings.js";
import type { AnyRule } from "../engine/rule.js";
import { visible } from "../formatters/terminal.js";

/** Where editors find the schema when oidclint is not installed in the project's `node_modules`. */
export const SCHEMA_URL = "https://raw.githubusercontent.com/oidclint/oidclint/main/schema/oidclintrc.schema.json";
const LOCAL_SCHEMA = "./node_modules/oidclint/schema/oidclintrc.schema.json";

type RuleEntry = string | [string, Record<string, unknown>];

/** Every rule at its default level, with its default options spelled out where it has any. */
export function defaultRuleEntries(rules: readonly AnyRule[]): Record<string, RuleEntry> {
  const out: Record<string, RuleEntry> = {};
  for (const r of rules) {
    const options = r.defaultOptions as Record<string, unknown>;
    out[r.meta.id] = Object.keys(options).length > 0 ? [r.meta.severity, options] : r.meta.severity;
  }
  return out;
}

export interface StarterFacts {
  schema: string;
  repository?: string;
  defaultBranch?: string;
  preset?: "oidclint:recommended" | "oidclint:strict";
}

/**
 * The config `oidclint init` writes: `$schema`, `extends` (the preset), and only what differs from it —
 * the repository, and the default branch when git says it is not `main`. CI checkouts often lack the remote's
 * HEAD, so writing them keeps the config true there. Rule levels and options are the preset's: a team adds
 * only the rules it changes.
 */
export function starterConfig(facts: StarterFacts): Record<string, unknown> {
  const defaults = defaultSettings();
  return {
    $schema: facts.schema,
    extends: facts.preset ?? "oidclint:recommended",
    ...(facts.repository ? { repository: facts.repository } : {}),
    ...(facts.defaultBranch && facts.defaultBranch !== defaults.defaultBranch
      ? { defaultBranch: facts.defaultBranch }
      : {}),
  };
}

/**
 * `.oidclintrc.example.json` at the project root: every top-level key with an illustrative value, every
 * rule at its default. Generated from the rules' metadata (`npm run generate`); a test keeps it in sync.
 */
export function exampleConfig(rules: readonly AnyRule[]): Record<string, unknown> {
  // The keys and their example values are declared once, in src/config/settings.ts.
  return exampleConfigValues({ $schema: SCHEMA_URL, rules: defaultRuleEntries(rules) });
}

/** `schema/oidclintrc.schema.json`, as shipped in the package. */
export function configSchemaText(rules: readonly AnyRule[]): string {
  return `${JSON.stringify(buildConfigSchema(rules), null, 2)}\n`;
}

export function exampleConfigText(rules: readonly AnyRule[]): string {
  return `${JSON.stringify(exampleConfig(rules), null, 2)}\n`;
}

const HELP = `Usage: oidclint init [--strict] [--force]

Writes a starter ${CONFIG_NAME} in the current directory: $schema for editors, "extends":
"oidclint:recommended" (or "oidclint:strict"), and only what differs from it: the repository detected
from git's origin remote (or GITHUB_REPOSITORY) and a default branch other than main. Add rules and
settings only where your project differs; every key is shown in .oidclintrc.example.json.

Options:
      --strict   extend oidclint:strict (some rules at a stricter level than in recommended)
      --force    replace an existing ${CONFIG_NAME}
  -h, --help     show this help

Examples:
  oidclint init
  oidclint init --strict --force
`;

/** `oidclint init`: writes a starter `.oidclintrc.json`; refuses to overwrite one without `--force`. */
export function run(args: string[], io: CliIO): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(HELP);
    return Promise.resolve(0);
  }
  const { values } = parseOptions(
    args,
    { force: { type: "boolean" }, strict: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    { command: "init", hint: `init writes ${CONFIG_NAME} in the current directory` },
  );
  const target = join(io.cwd, CONFIG_NAME);
  if (existsSync(target) && !values.force) {
    io.stderr(`oidclint init: ${CONFIG_NAME} already exists here; not overwriting it (use --force to replace it)\n`);
    return Promise.resolve(2);
  }
  const git = gitFacts(io.cwd);
  const repository = git.repository ?? io.env.GITHUB_REPOSITORY;
  const schema = existsSync(join(io.cwd, LOCAL_SCHEMA)) ? LOCAL_SCHEMA : SCHEMA_URL;
  const preset = values.strict ? "oidclint:strict" : "oidclint:recommended";
  const config = starterConfig({
    schema,
    preset,
    ...(repository ? { repository } : {}),
    ...(git.defaultBranch ? { defaultBranch: git.defaultBranch } : {}),
  });
  writeFileSync(target, `${JSON.stringify(config, null, 2)}\n`);
  io.stdout(`Wrote ${CONFIG_NAME} (extends ${preset})${repository ? ` for ${visible(repository)}` : ""}.\n`);
  if (!repository) {
    io.stdout(
      `No git remote "origin" found: add "repository": "OWNER/REPO" to ${CONFIG_NAME} so rules can check subs against it.\n`,
    );
  }
  return Promise.resolve(0);
}

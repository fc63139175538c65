import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { resolveConfig } from "../src/config/load.js";
import type { CliIO } from "../src/commands/io.js";
import { lint } from "../src/engine/lint.js";
import { yamlDocumentTree, type YNode } from "../src/parsers/workflow/yaml-tree.js";
import { parseDocument } from "yaml";
import type { LintReport } from "../src/engine/result.js";
import type { Severity } from "../src/engine/rule.js";
import { rules } from "../rules/index.js";

export const ROOT = resolve(import.meta.dirname, "..");
export const FIXTURES = join(ROOT, "fixtures");

export interface RunOptions {
  cwd: string;
  paths?: string[];
  rules?: Record<string, Severity>;
  contextPaths?: string[];
}

/**
 * Lints like the CLI, but deterministically: no GITHUB_REPOSITORY from the environment, no git remote
 * beyond the fixture's own config.
 */
export async function run(opts: RunOptions): Promise<LintReport> {
  const config = await resolveConfig({ cwd: opts.cwd, rules, ruleOverrides: opts.rules ?? {}, env: {} });
  return lint({
    cwd: opts.cwd,
    config,
    paths: opts.paths ?? ["."],
    ...(opts.contextPaths ? { contextPaths: opts.contextPaths } : {}),
  });
}

/**
 * One line per finding, sorted: `[file:]line:col severity rule/messageId`; with `full` (the golden files),
 * `[file:]line:col-endLine:endCol severity rule/messageId: message`, so that a wording or span change fails.
 */
export function findingLines(
  report: LintReport,
  cwd: string,
  opts: { withFile: boolean; ruleId?: string; full?: boolean },
): string[] {
  const lines: string[] = [];
  for (const r of report.results) {
    const file = relative(cwd, r.filePath);
    for (const m of r.messages) {
      if (opts.ruleId && m.ruleId !== opts.ruleId) continue;
      const sev = m.severity === 2 ? "error" : "warn";
      const at = opts.full ? `${m.line}:${m.column}-${m.endLine}:${m.endColumn}` : `${m.line}:${m.column}`;
      lines.push(
        `${opts.withFile ? `${file}:` : ""}${at} ${sev} ${m.ruleId}/${m.messageId}${opts.full ? `: ${m.message}` : ""}`,
      );
    }
  }
  return lines.sort(compareLines);
}

/** A golden line without its end position and message: `[file:]line:col severity rule/messageId`. */
export function shortLine(line: string): string {
  const m = /^(.*?\d+:\d+)(?:-\d+:\d+)? (error|warn) ([\w-]+\/\w+)/.exec(line);
  return m ? `${m[1]} ${m[2]} ${m[3]}` : line;
}

/**
 * `UPDATE_GOLDENS=1 npx vitest run test/fixtures.test.ts` rewrites a golden file with the linter's
 * current lines, but only when they differ from it in message text or end positions: a finding that
 * appears, disappears or moves still fails, to be looked at by a person.
 */
export function updateGolden(file: string, expected: string[], actual: string[]): boolean {
  if (!process.env.UPDATE_GOLDENS) return false;
  const short = (lines: string[]): string[] => lines.map(shortLine).sort(compareLines);
  if (JSON.stringify(short(expected)) !== JSON.stringify(short(actual))) return false;
  const comments = existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("#"))
    : [];
  writeFileSync(file, `${[...comments, ...actual].join("\n")}\n`);
  return true;
}

function compareLines(a: string, b: string): number {
  const key = (s: string): (string | number)[] => s.split(/[: ]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const x = ka[i] ?? "";
    const y = kb[i] ?? "";
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x).localeCompare(String(y));
  }
  return 0;
}

/** Expected lines of a golden file (blank lines and `#` comments ignored), sorted like `findingLines`. */
export function readExpected(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .sort(compareLines);
}

export function fixtureDir(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export { dirname };

/** A command-line IO that keeps what the command prints. */
export function captureIO(cwd: string): CliIO & { out: string; err: string } {
  const o = {
    out: "",
    err: "",
    stdout: (s: string) => {
      o.out += s;
    },
    stderr: (s: string) => {
      o.err += s;
    },
    readStdin: () => Promise.resolve(""),
    isTTY: false,
    cwd,
    env: {},
  };
  return o;
}

/** A workflow that needs a token without `id-token: write`: its finding must survive next to a hostile file. */
export const GOOD_WORKFLOW = deployWorkflow("deploy", { on: "push", idToken: false });
/** The finding of GOOD_WORKFLOW written as `.github/workflows/good.yml`. */
export const GOOD_FINDING = ".github/workflows/good.yml:5:3 error missing-id-token-permission/missingPermission";

/**
 * A workflow whose job `deploy` assumes `arn:aws:iam::123456789012:role/ROLE` with configure-aws-credentials
 * on pushes to `branches` (default `main`; `on` replaces the whole trigger), with `id-token: write` at
 * workflow level unless `idToken` is false.
 */
export function deployWorkflow(
  role: string,
  opts: { branches?: string[]; name?: string; on?: string; idToken?: boolean } = {},
): string {
  const on = opts.on ?? `\n  push:\n    branches: [${(opts.branches ?? ["main"]).join(", ")}]`;
  return `${opts.name !== undefined ? `name: ${opts.name}\n` : ""}on:${opts.on !== undefined ? " " : ""}${on}
permissions:
${opts.idToken === false ? "" : "  id-token: write\n"}  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/${role}
          aws-region: eu-west-1
`;
}

/**
 * A Terraform `jsonencode({ … })` trust policy for GitHub's provider in account 123456789012: `aud` is
 * `sts.amazonaws.com` and `sub` is `sub` under `op` (one `StringEquals` block holds both when `op` is it).
 */
export function tfTrust(sub: string, op: "StringLike" | "StringEquals" = "StringLike"): string {
  const aud = `"token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"`;
  const subKey = `"token.actions.githubusercontent.com:sub" = "${sub}"`;
  const conditions =
    op === "StringEquals"
      ? `        StringEquals = {\n          ${aud}\n          ${subKey}\n        }`
      : `        StringEquals = { ${aud} }\n        ${op}   = { ${subKey} }`;
  return `jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
${conditions}
      }
    }]
  })`;
}

/** Every `.yml` / `.yaml` file under dir. */
export function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yamlFiles(path, out);
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

/** The tree of a `yaml` Document as the workflow parser configures it, or "refused" when `yaml` reports an error. */
export const yamlReference = (text: string): YNode | null | "refused" => {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, strict: false });
  return doc.errors.length > 0 ? "refused" : yamlDocumentTree(doc);
};

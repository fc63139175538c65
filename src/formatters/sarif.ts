import { pathToFileURL } from "node:url";
import { ruleErrorText, type LintMessage } from "../engine/result.js";
import {
  docsUrl,
  type AnyRule,
  type Fix,
  type MessageTemplate,
  type RuleInput,
  type TextEdit,
} from "../engine/rule.js";
import { pathUnderRoot, repositoryRoot } from "./repo-path.js";
import type { Formatter } from "./types.js";

/**
 * GitHub code scanning's `security-severity` (0–10; ≥ 9 critical, ≥ 7 high, ≥ 4 medium, else low) per rule:
 * how bad it is when the finding is real. Rules about the linter itself (parse errors, stale suppressions)
 * are not security findings and carry no score.
 */
const SECURITY_SEVERITY: Record<string, string> = {
  "missing-sub-condition": "9.3", // any repository on GitHub can assume the role
  "broad-sub-wildcard": "9.0", // any owner (error) / any repo of the org (warn)
  "untrusted-trigger-oidc": "8.8", // cloud credentials next to code from a fork
  "stale-repo-path": "7.5", // a freed repository name can be re-registered by someone else
  "unsafe-condition-operator": "7.0", // IfExists / negated / set operators let absent or other claims through
  "mutable-sub-claim": "5.0", // a rename or re-created name inherits the trust
  "audience-drift": "5.0",
  "excessive-id-token-scope": "4.0",
  "unknown-condition-key": "4.0",
  "malformed-principal": "4.0",
  "invalid-sub-pattern": "3.5",
  "provider-config": "3.0",
  "trust-mismatch": "2.0", // predicted AccessDenied: availability, not exposure
  "missing-id-token-permission": "2.0",
};

const INPUT_NAMES: Record<RuleInput, string> = {
  policy: "IAM trust policies (Terraform, CloudFormation/CDK, JSON)",
  provider: "IAM OIDC providers",
  workflow: "GitHub workflows and composite actions",
};

type Json = Record<string, unknown>;

/** A message template for the rule's help: placeholders shown as `‹name›`. */
function generic(template: string): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, "‹$1›");
}

/**
 * The rule's help: its description, then per message the short line with its explanation and fix as
 * templates (the values of one finding are in the result's `properties`), and the rule page.
 */
function helpOf(rule: AnyRule, url: string): { text: string; markdown: string } {
  const text: string[] = [`${rule.meta.description}.`];
  const markdown: string[] = [`${rule.meta.description}.`, ""];
  for (const t of Object.values<MessageTemplate>(rule.meta.messages)) {
    if (typeof t === "string" || !t.explanation) continue;
    const fix = t.fix && !/^\{\{\s*\w+\s*\}\}\.?$/.test(t.fix) ? ` Fix: ${generic(t.fix)}` : "";
    text.push(`${generic(t.message)}: ${generic(t.explanation)}${fix}`);
    markdown.push(`- **${generic(t.message)}** — ${generic(t.explanation)}${fix}`);
  }
  text.push(`See ${url}`);
  markdown.push("", `See [the rule documentation](${url}).`);
  return { text: text.join("\n\n"), markdown: markdown.join("\n") };
}

function reportingDescriptor(rule: AnyRule): Json {
  const { id, description, severity, inputs } = rule.meta;
  const security = id in SECURITY_SEVERITY;
  const applies = inputs.length > 0 ? ` Applies to ${inputs.map((i) => INPUT_NAMES[i]).join("; ")}.` : "";
  const help = docsUrl(id);
  const properties: Json = {
    tags: security ? ["security", "oidc", "aws-iam", "github-actions"] : ["correctness", "oidclint"],
    precision: "high",
  };
  const score = SECURITY_SEVERITY[id];
  if (score !== undefined) properties["security-severity"] = score;
  return {
    id,
    name: id.replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase()),
    shortDescription: { text: description },
    fullDescription: { text: `${description}.${applies} Default level: ${severity}.` },
    helpUri: help,
    help: helpOf(rule, help),
    defaultConfiguration: {
      level: severity === "error" ? "error" : severity === "warn" ? "warning" : "none",
      enabled: severity !== "off",
    },
    properties,
  };
}

function region(m: { line: number; column: number; endLine: number; endColumn: number }): Json {
  const out: Json = { startLine: m.line, startColumn: m.column };
  // An end before the start (or missing) would make the region invalid: keep only the start then.
  if (m.endLine > m.line || (m.endLine === m.line && m.endColumn >= m.column)) {
    out.endLine = m.endLine;
    out.endColumn = m.endColumn;
  }
  return out;
}

function encodePath(rel: string): string {
  return rel.split("/").map(encodeURIComponent).join("/");
}

/**
 * SARIF 2.1.0, one run. Paths are relative to the repository root (`%SRCROOT%`), as code scanning
 * requires; files outside it get absolute `file:` URIs.
 */
export const sarif: Formatter = (report, meta) => {
  const root = repositoryRoot(meta.cwd);
  const ruleIndex = new Map(meta.rules.map((r, i) => [r.meta.id, i]));
  const artifact = (file: string): Json => {
    const rel = pathUnderRoot(root, meta.cwd, file);
    return rel === undefined ? { uri: pathToFileURL(file).href } : { uri: encodePath(rel), uriBaseId: "%SRCROOT%" };
  };
  const results: Json[] = [];
  for (const r of report.results) {
    for (const m of r.messages) {
      results.push(result(m, artifact(r.filePath), ruleIndex.get(m.ruleId), artifact));
    }
  }
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "oidclint",
            version: meta.version,
            semanticVersion: meta.version,
            informationUri: "https://github.com/oidclint/oidclint",
            rules: meta.rules.map(reportingDescriptor),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(root.endsWith("/") ? root : `${root}/`).href } },
        columnKind: "utf16CodeUnits",
        results,
        // A rule that failed (an oidclint bug): the run is incomplete, which code scanning shows as a tool error.
        ...(report.ruleErrors
          ? {
              invocations: [
                {
                  executionSuccessful: false,
                  toolExecutionNotifications: report.ruleErrors.map((e) => ({
                    level: "error",
                    message: { text: ruleErrorText(e) },
                    associatedRule: {
                      id: e.ruleId,
                      ...(ruleIndex.has(e.ruleId) ? { index: ruleIndex.get(e.ruleId) } : {}),
                    },
                  })),
                },
              ],
            }
          : {}),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};

function result(
  m: LintMessage,
  artifactLocation: Json,
  index: number | undefined,
  artifact: (file: string) => Json,
): Json {
  const out: Json = {
    ruleId: m.ruleId,
    ...(index === undefined ? {} : { ruleIndex: index }),
    level: m.severity === 2 ? "error" : "warning",
    message: { text: m.message },
    locations: [{ physicalLocation: { artifactLocation, region: region(m) } }],
  };
  // Code scanning matches alerts across runs by these; without them it hashes the line, which merges two
  // findings on one line and breaks when lines move.
  if (m.fingerprint) out.partialFingerprints = { "oidclint/v1": m.fingerprint };
  if (m.explanation || m.fix)
    out.properties = { ...(m.explanation ? { explanation: m.explanation } : {}), ...(m.fix ? { fix: m.fix } : {}) };
  const fixes = [
    ...(m.autofix ? [sarifFix(m.fix ?? "Apply oidclint's fix", m.autofix, "autofix", artifact)] : []),
    ...(m.suggestions ?? []).map((sg) => sarifFix(sg.desc, sg.fix, "suggestion", artifact)),
  ];
  if (fixes.length > 0) out.fixes = fixes;
  if (m.related && m.related.length > 0) {
    out.relatedLocations = m.related.map((rel, i) => ({
      id: i + 1,
      message: { text: rel.message },
      physicalLocation: { artifactLocation: artifact(rel.file), region: region(rel) },
    }));
  }
  return out;
}

/**
 * A SARIF `fix` from oidclint's edits: one `artifactChange` per file, each edit a `replacement` whose
 * `deletedRegion` is given both as lines/columns (UTF-16, as `columnKind` says) and as a character range,
 * so that an insertion (an empty region) is unambiguous. `kind` says whether `--fix` applies it (`autofix`)
 * or only offers it (`suggestion`).
 */
function sarifFix(
  description: string,
  fix: Fix,
  kind: "autofix" | "suggestion",
  artifact: (file: string) => Json,
): Json {
  const byFile = new Map<string, TextEdit[]>();
  for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  return {
    description: { text: description },
    artifactChanges: [...byFile].map(([file, edits]) => ({
      artifactLocation: artifact(file),
      replacements: [...edits]
        .sort((a, b) => a.range[0] - b.range[0])
        .map((e) => ({
          deletedRegion: {
            startLine: e.loc.line,
            startColumn: e.loc.column,
            endLine: e.loc.endLine,
            endColumn: e.loc.endColumn,
            charOffset: e.range[0],
            charLength: e.range[1] - e.range[0],
          },
          insertedContent: { text: e.text },
        })),
    })),
    properties: { kind },
  };
}

/**
 * The textual pre-filter for workflows (issue 13): whether a workflow's text can give the built-in rules
 * anything to report, in this file or in another. It answers "maybe" (true) whenever in doubt: a false
 * "no" would hide a finding, a false "yes" only costs the time of building the model.
 *
 * What the rules read from a workflow (src/analysis/token-use.ts, role-assumptions.ts and the workflow
 * rules), and the text each needs:
 *
 * - a grant (`excessive-id-token-scope`, `untrusted-trigger-oidc`, and the `no` side of every need):
 *   `id-token` or `write-all`;
 * - a certain token use (`missing-id-token-permission` reports only those): a consumer named in
 *   `CONSUMERS` (an action, or a command in a `run` step), this repository's own or another local action
 *   (`uses: ./…`, `uses: .`), or a local reusable workflow (`uses: ./.github/workflows/…`);
 * - a role assumption (`trust-mismatch`, `audience-drift`): `configure-aws-credentials`, or a local action;
 * - being called by another workflow, whose findings read this one's jobs: `workflow_call`.
 *
 * Text that YAML could turn into any of these without spelling it out is "maybe" too: an anchor (whose
 * aliases and merge keys repeat a value elsewhere), an escape in a double-quoted scalar (`\x2d`, `\u…`,
 * `\/`), and a double-quoted scalar that goes on over the next line (an escaped line break joins words).
 * Everything else (plain, single-quoted and block scalars) can only fold a line break into a space or
 * keep it, never join two halves of a word. Action names are compared case-insensitively, as GitHub does.
 *
 * Keep `CONSUMERS` in step with token-use.ts: test/workflow-filter.test.ts fails when a consumer named
 * there is missing here.
 */
export const CONSUMERS = [
  "configure-aws-credentials",
  "google-github-actions/auth",
  "azure/login",
  "vault-action",
  "pypi-publish",
  "sigstore",
  "attest",
  "getIDToken",
  "deploy-pages",
  "crates-io-auth-action",
  "nuget/login",
  "octo-sts",
  "codecov",
  "rubygems",
  "cosign",
  "provenance",
  "ACTIONS_ID_TOKEN_REQUEST",
] as const;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** One part of the pattern; `needs` is a text it cannot match without (tried first, far cheaper). */
const part = (pattern: string, needs = ""): { pattern: RegExp; needs: string } => ({
  pattern: new RegExp(pattern, "im"),
  needs,
});

// The parts are tried in turn, the cheapest first: a file that names a grant or a consumer stops at the first.
const MAY_MATTER = [
  // Grants, and a workflow other workflows call.
  part(["id-token", "write-all", "workflow_call", ...CONSUMERS.map(escape)].join("|")),
  // A local action or reusable workflow: `uses: ./x`, `uses: "./x"`, the value on the next line (after
  // comments), with a tag, or a block scalar.
  part(String.raw`\buses['"]?\s*:(?:\s|#[^\n]*\n)*(?:!\S*\s+)?['"]?\s*\.|\buses['"]?\s*:\s*[|>]`),
  // An anchor where a node can start (after `key:`, `- `, `? `, `[`, `{`, `,`, a tag, or at a line start).
  part(String.raw`(?:^|[:,[{]|[-?][ \t]|![^\s]*[ \t])[ \t]*&[^\s&]`, "&"),
  // Escapes that can spell a letter, `-` or `/` in a double-quoted scalar.
  part(String.raw`\\[xuU/]`, "\\"),
  // A double-quoted value left open at the end of its line (it continues, maybe after `\` + line break).
  part(String.raw`(?:^|[:,[{]|[-?][ \t])[ \t]*"(?:[^"\\\n]|\\.)*\\?\r?$`, '"'),
];

/** Whether the built-in rules can read anything in this workflow text (true when unsure). */
export function workflowMayMatter(text: string): boolean {
  return MAY_MATTER.some(({ pattern, needs }) => text.includes(needs) && pattern.test(text));
}

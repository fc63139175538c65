import { captureIO as io } from "./helpers.js";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import type { TrustMap } from "../src/map/graph.js";
import { mermaidText } from "../src/map/mermaid.js";
import { FIXTURES, ROOT } from "./helpers.js";
import { HOSTILE, writeProject as project } from "./map-helpers.js";

const PROJECT = join(FIXTURES, "_projects", "trust-map");
const GOLDEN = join(ROOT, "test", "golden");

async function map(cwd: string, ...args: string[]): Promise<string> {
  const o = io(cwd);
  const code = await main(["map", ...args], o);
  expect(o.err).toBe("");
  expect(code).toBe(0);
  return o.out;
}

/** Compares with a golden file; `UPDATE_GOLDEN=1` rewrites it (then review the diff). */
function golden(name: string, text: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, "utf8"));
}

describe("oidclint map --format json", () => {
  it("is the graph of the fixture repository, exactly", async () => {
    golden("trust-map.json", await map(PROJECT, "--format", "json", "."));
  });

  it("marks the refused edge, with the claim that refuses and the condition that decides it", async () => {
    const m = JSON.parse(await map(PROJECT, "--format", "json")) as TrustMap;
    const refused = m.edges.filter((e) => e.verdict === "refused");
    expect(refused.map((e) => [e.from, e.to])).toEqual([
      ["job:.github/workflows/release.yml#publish", "role:infra/github-oidc.tf#aws_iam_role.deploy"],
    ]);
    const s = refused[0]?.situations?.[0];
    expect(s).toMatchObject({
      event: "push",
      kind: "tag",
      sub: "repo:acme/shop:ref:refs/tags/v1.0.0",
      aud: "sts.amazonaws.com",
      example: "v1.0.0",
    });
    expect(s?.claims).toEqual([
      { claim: "aud", verdict: "accepts", conditions: ["role:infra/github-oidc.tf#aws_iam_role.deploy#c1"] },
      { claim: "sub", verdict: "refuses", conditions: ["role:infra/github-oidc.tf#aws_iam_role.deploy#c2"] },
    ]);
    const role = m.roles.find((r) => r.id === "role:infra/github-oidc.tf#aws_iam_role.deploy");
    expect(role?.conditions.find((c) => c.id.endsWith("#c2"))).toMatchObject({
      claim: "sub",
      operator: "StringEquals",
      values: ["repo:acme/shop:ref:refs/heads/main"],
      loc: { file: "infra/github-oidc.tf", line: 21 },
    });
    // The trust-mismatch finding sits on that edge; the broad wildcard on the role that has it.
    const tm = m.findings.find((f) => f.ruleId === "trust-mismatch");
    expect(tm?.on).toEqual([refused[0]?.id]);
    expect(tm?.docs).toMatch(/rules\/trust-mismatch\.md$/);
    const broad = m.findings.find((f) => f.ruleId === "broad-sub-wildcard");
    expect(broad?.on).toEqual(["role:infra/github-oidc.tf#aws_iam_role.readonly"]);
  });

  it("draws roles from Terraform and CloudFormation, an assumed role it cannot resolve, and the provider", async () => {
    const m = JSON.parse(await map(PROJECT, "--format", "json")) as TrustMap;
    expect(m.roles.map((r) => [r.label, r.loc ? `${r.loc.file}:${r.loc.line}` : null, r.defined])).toEqual([
      ["shop-deploy", "infra/github-oidc.tf:27", true],
      ["shop-readonly", "infra/github-oidc.tf:32", true],
      ["shop-plan", "stacks/roles.yaml:4", true],
      ["shop-prod", "stacks/roles.yaml:19", true],
      ["${secrets.AUDIT_ROLE_ARN}", null, false],
    ]);
    expect(m.providers.map((p) => [p.url, p.audiences])).toEqual([
      ["https://token.actions.githubusercontent.com", ["sts.amazonaws.com"]],
    ]);
    // The job that needs no token (`build`) is not part of the map.
    expect(m.workflows.flatMap((w) => w.jobs.map((j) => j.job))).toEqual([
      "staging",
      "production",
      "plan",
      "audit",
      "publish",
    ]);
    expect(m.edges.find((e) => e.from.endsWith("#audit"))).toMatchObject({
      verdict: "unresolved",
      to: "external:${secrets.AUDIT_ROLE_ARN}",
    });
  });
});

describe("the trust map's JSON Schema (schema/trust-map.schema.json)", () => {
  const ajv = new Ajv2020.default({ allErrors: true, strict: true, strictRequired: false });
  ajv.addFormat("uri", (s: string) => URL.canParse(s));
  const validate = ajv.compile(
    JSON.parse(readFileSync(join(ROOT, "schema", "trust-map.schema.json"), "utf8")) as object,
  );

  it("describes the maps of the fixture and of a hostile repository", async () => {
    for (const dir of [PROJECT, project(HOSTILE)]) {
      const m = JSON.parse(await map(dir, "--format", "json")) as unknown;
      expect(validate(m), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it("refuses what is not a map: a field missing, an unknown verdict, an extra field", async () => {
    const m = JSON.parse(await map(PROJECT, "--format", "json")) as TrustMap & Record<string, unknown>;
    const broken = [
      { ...m, edges: m.edges.map((e) => ({ ...e, verdict: "maybe" })) },
      { ...m, roles: m.roles.map(({ conditions: _c, ...r }) => r) },
      { ...m, extra: true },
    ];
    for (const b of broken) expect(validate(b)).toBe(false);
  });
});

describe("oidclint map --format mermaid / markdown", () => {
  it("is a flowchart of the fixture repository, exactly", async () => {
    golden("trust-map.mmd", await map(PROJECT, "--format", "mermaid"));
  });

  it("writes a job summary: a table and the flowchart", async () => {
    const md = await map(PROJECT, "--format", "markdown");
    expect(md).toContain(
      "| .github/workflows/release.yml | publish | on push | shop-deploy | refused: AccessDenied | repo:acme/shop:ref:refs/tags/v1.0.0 | trust-mismatch |",
    );
    expect(md).toContain("```mermaid\nflowchart LR\n");
  });

  it("escapes every label: nothing from the repository ends a label or adds markup", () => {
    expect(mermaidText('a"]; click n1 "javascript:alert(1)"')).toBe(
      "a#34;#93;#59; click n1 #34;javascript:alert(1)#34;",
    );
    expect(mermaidText("<img src=x onerror=alert(1)>")).toBe("#60;img src=x onerror=alert(1)#62;");
    expect(mermaidText("a\nb`c`")).toBe("a b#96;c#96;");
  });
});

describe("oidclint map: command line", () => {
  it("takes the format from the output file's extension", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "oidclint-map-out-")), "sub", "map.mmd");
    expect(await map(PROJECT, "-o", out)).toBe("");
    expect(readFileSync(out, "utf8")).toMatch(/^flowchart LR\n/);
  });

  it("refuses an unknown format", async () => {
    const o = io(PROJECT);
    expect(await main(["map", "--format", "dot"], o)).toBe(2);
    expect(o.err).toMatch(/unknown format "dot"/);
  });

  it("maps a repository without roles or workflows to an empty graph", async () => {
    const dir = project({ "README.md": "nothing\n" });
    const m = JSON.parse(await map(dir, "--format", "json")) as TrustMap;
    expect([m.workflows, m.roles, m.providers, m.edges, m.findings]).toEqual([[], [], [], [], []]);
  });
});

describe("oidclint map --format html", () => {
  it("is one self-contained page: no request leaves it, one script of its own, allowed by hash", async () => {
    const html = await map(PROJECT, "--format", "html");
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+';/,
    );
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\/(?!github\.com\/oidclint\/oidclint\/blob\/main\/rules\/)/);
    expect(html).not.toMatch(/<link|@import|url\(http/);
    // Every job and role is a node of the graph, and a row of the tables.
    for (const name of [
      "staging",
      "production",
      "plan",
      "audit",
      "publish",
      "shop-deploy",
      "shop-readonly",
      "shop-plan",
      "shop-prod",
    ])
      expect(html).toContain(`>${name}</text>`);
    expect(html).toContain(
      '<g class="edge refused has-finding" data-id="job:.github/workflows/release.yml#publish-&#62;role:infra/github-oidc.tf#aws_iam_role.deploy" data-verdict="refused"',
    );
    expect(html).toContain(
      '<a href="https://github.com/oidclint/oidclint/blob/main/rules/trust-mismatch.md">trust-mismatch</a>',
    );
  });

  it("is the same page on every run", async () => {
    expect(await map(PROJECT, "--format", "html")).toBe(await map(PROJECT, "--format", "html"));
  });

  it("escapes every string from the repository: file names, job names, environments, role names, policy values", async () => {
    const dir = project(HOSTILE);
    const html = await map(dir, "--format", "html");
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<(img|svg onload|iframe|b>)/);
    expect(html).not.toContain("</text><script>");
    expect(html).toContain("&#34;&#62;&#60;svg onload=alert(2)&#62;");
    expect(html).toContain("&#60;iframe src=javascript:alert(3)&#62;");
    const m = JSON.parse(await map(dir, "--format", "json")) as TrustMap;
    expect(m.workflows.map((w) => w.jobs.map((j) => j.job))).toEqual([['"><svg onload=alert(2)>']]);
    expect(m.roles.map((r) => r.label)).toEqual([
      "x</text><script>alert(5)</script>",
      "arn:aws:iam::111122223333:role/x<script>alert(4)</script>",
    ]);
    const mermaid = await map(dir, "--format", "mermaid");
    expect(mermaid).not.toMatch(/<(?!br\/>)/);
    for (const line of mermaid.split("\n")) expect(line.match(/"/g)?.length ?? 0).toBeLessThanOrEqual(4);
  });
});

/** `--online` against a GitHub API stand-in on loopback: 404, 301 rename, and canonical case. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../src/config/load.js";
import { lint } from "../src/engine/lint.js";
import { rules } from "../rules/index.js";

const routes: Record<string, { status: number; body?: unknown; location?: string }> = {
  "/repos/acme/app": { status: 200, body: { full_name: "acme/app" } },
  "/repos/acme/old-name": { status: 301, location: "/repositories/42" },
  "/repositories/42": { status: 200, body: { full_name: "acme/new-name" } },
  "/repos/acme/gone": { status: 404, body: { message: "Not Found" } },
  "/repos/ACME/App": { status: 200, body: { full_name: "acme/app" } },
};

let server: Server;
let dir: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? "");
    const route = routes[req.url ?? ""] ?? { status: 404 };
    res.writeHead(route.status, {
      "content-type": "application/json",
      ...(route.location ? { location: route.location } : {}),
    });
    res.end(JSON.stringify(route.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  dir = mkdtempSync(join(tmpdir(), "oidclint-online-"));
  const subs = [
    "repo:acme/app:ref:refs/heads/main",
    "repo:acme/old-name:ref:refs/heads/main",
    "repo:acme/gone:ref:refs/heads/main",
    "repo:ACME/App:ref:refs/heads/main",
  ];
  const policy = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": subs,
          },
        },
      },
    ],
  };
  writeFileSync(join(dir, "trust.json"), JSON.stringify(policy, null, 2));
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("stale-repo-path --online", () => {
  it("reports missing, renamed and case-mismatched repositories, each looked up once", async () => {
    const port = (server.address() as AddressInfo).port;
    const before = process.env.GITHUB_API_URL;
    process.env.GITHUB_API_URL = `http://127.0.0.1:${port}`;
    try {
      const config = await resolveConfig({ cwd: dir, rules, env: {}, online: true });
      const report = await lint({ cwd: dir, config });
      const found = report.results.flatMap((r) => r.messages).filter((m) => m.ruleId === "stale-repo-path");
      expect(found.map((m) => `${m.line}:${m.column} ${m.messageId}`)).toEqual([
        "15:13 renamedOnline",
        "16:13 missingOnline",
        "17:13 caseMismatch",
      ]);
      expect(found[0]?.message).toContain("moved to `acme/new-name`");
      expect(found[0]?.fix).toContain("`repo:acme/new-name:ref:refs/heads/main`");
      expect(seen.filter((u) => u.startsWith("/repos/")).sort()).toEqual([
        "/repos/ACME/App",
        "/repos/acme/app",
        "/repos/acme/gone",
        "/repos/acme/old-name",
      ]);
    } finally {
      if (before === undefined) delete process.env.GITHUB_API_URL;
      else process.env.GITHUB_API_URL = before;
    }
  });
});

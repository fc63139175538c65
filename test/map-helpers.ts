import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A temporary project with these files. */
export function writeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "oidclint-map-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Names a repository can hold that would be markup, script or a label's end if written as they are. */
export const HOSTILE = {
  ".oidclintrc.json": JSON.stringify({ repository: "acme/shop", defaultBranch: "main" }),
  '.github/workflows/x"><img src=x onerror=alert(1)>.yml': `name: "</title><script>alert(1)</script>"
on:
  push:
    branches: ["<b>main</b>"]
jobs:
  '"><svg onload=alert(2)>':
    runs-on: ubuntu-latest
    environment: "<iframe src=javascript:alert(3)>"
    permissions:
      id-token: write
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: "arn:aws:iam::111122223333:role/x<script>alert(4)</script>"
          aws-region: eu-west-1
`,
  "trust.tf": `resource "aws_iam_role" "r" {
  name = "x</text><script>alert(5)</script>"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:acme/shop:ref:refs/heads/'\\"><img src=x onerror=alert(6)>" }
      }
    }]
  })
}
`,
};

export { largeProject } from "../scripts/map-project.mjs";

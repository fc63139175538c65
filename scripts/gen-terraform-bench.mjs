// Generates a synthetic Terraform repository for the measurements in BENCHMARKS.md ("Terraform"):
//
//   node scripts/gen-terraform-bench.mjs DIR N EVERY
//
// N `.tf` files in module directories of 20; every EVERY-th file is relevant (a variable and an
// `aws_iam_role` with a `jsonencode` GitHub trust policy using it), the others hold two S3 resources
// (read by the pre-check only). `N=2000 EVERY=10` gives 2,000 files of which 200 are relevant;
// `N=1 EVERY=1` one small relevant file.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir, n, every] = process.argv.slice(2);
const count = Number(n);
const step = Number(every);
if (!dir || !Number.isInteger(count) || !Number.isInteger(step) || count < 1 || step < 1) {
  console.error("usage: node scripts/gen-terraform-bench.mjs DIR N EVERY");
  process.exit(2);
}
rmSync(dir, { recursive: true, force: true });
for (let i = 0; i < count; i++) {
  const mod = join(dir, `mod${String(Math.floor(i / 20)).padStart(3, "0")}`);
  mkdirSync(mod, { recursive: true });
  if (i % step === 0) {
    writeFileSync(
      join(mod, `iam${i}.tf`),
      `variable "org${i}" {
  default = "acme"
}
resource "aws_iam_role" "r${i}" {
  name = "deploy-${i}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:\${var.org${i}}/app${i}:ref:refs/heads/main" }
      }
    }]
  })
}
`,
    );
  } else {
    writeFileSync(
      join(mod, `s3_${i}.tf`),
      `resource "aws_s3_bucket" "b${i}" {
  bucket = "acme-bucket-${i}"
  tags = {
    Team = "platform"
    Name = "bucket ${i}"
  }
}

resource "aws_s3_bucket_versioning" "v${i}" {
  bucket = aws_s3_bucket.b${i}.id
  versioning_configuration {
    status = "Enabled"
  }
}
`,
    );
  }
}

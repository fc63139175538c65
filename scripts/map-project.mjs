/**
 * A repository of `workflows` workflows (one to three OIDC jobs each, on push, pull_request or tags)
 * assuming `roles` Terraform roles, every seventh job a role that refuses its tags: the size the HTML
 * map must stay readable at. Used by the trust-map tests (test/map-helpers.ts) and `npm run bench -- --map`.
 */
export function largeProject(workflows, roles) {
  const files = {
    ".oidclintrc.json": JSON.stringify({ repository: "acme/big", defaultBranch: "main" }),
  };
  const tf = [
    `resource "aws_iam_openid_connect_provider" "github" {\n  url            = "https://token.actions.githubusercontent.com"\n  client_id_list = ["sts.amazonaws.com"]\n}\n`,
  ];
  for (let r = 0; r < roles; r++) {
    tf.push(`resource "aws_iam_role" "r${r}" {
  name = "team-${r}-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = ["repo:acme/big:ref:refs/heads/main", "repo:acme/big:pull_request"] }
      }
    }]
  })
}
`);
  }
  files["infra/roles.tf"] = tf.join("\n");
  for (let w = 0; w < workflows; w++) {
    const on =
      w % 7 === 0
        ? `push:\n    tags: ["v*"]`
        : w % 2 === 0
          ? `push:\n    branches: [main]`
          : `pull_request:\n    branches: [main]`;
    const jobs = [];
    for (let j = 0; j <= w % 3; j++) {
      jobs.push(`  job${j}:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::111122223333:role/team-${(w * 3 + j) % roles}-deploy
          aws-region: eu-west-1`);
    }
    files[`.github/workflows/service-${String(w).padStart(3, "0")}.yml`] =
      `name: service ${w}\non:\n  ${on}\njobs:\n${jobs.join("\n")}\n`;
  }
  return files;
}

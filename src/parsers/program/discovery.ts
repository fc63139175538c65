/**
 * Which files are infrastructure programs (AWS CDK, Pulumi, CDK for Terraform), by name and by a cheap
 * textual pre-check, so that a repository of thousands of TypeScript files costs one regular
 * expression per file and the parsers load only when a file needs them.
 */

/**
 * Tests (CDK's `integ.*.ts` integration tests too), snapshots, virtual environments and build output are
 * never linted as programs: a test's stack or a snapshot repeats what the source defines (and a unit test
 * often builds deliberately bad policies to assert that they fail). cdk.out holds CloudFormation, read as such. Neither are the
 * templates `cdk init` renders (`%name%.template.ts`, `app.template.py`: placeholders, not code) or a
 * projen project file (`.projenrc.ts` names aws-cdk-lib as a dependency; it defines no infrastructure).
 */
const NOT_PROGRAMS =
  /(^|\/)(node_modules|\.venv|venv|site-packages|cdk\.out|cdktf\.out|dist|build|__snapshots__|__tests__|tests?|[^/]*%[\w.-]+%[^/]*)\/|(^|\/)(test_[^/]*\.py|[^/]*_test\.py|conftest\.py|[^/]*\.(test|spec)\.[^/]+|[^/]*\.min\.js|[^/]*\.d\.[mc]?ts|[^/]*\.template\.[^/.]+|integ\.[^/]+|[^/]*%[\w.-]+%[^/]*|\.projenrc\.[^/]+)$/;

/** Source files of the program languages that are not tests, snapshots, type declarations or build output. */
export function isProgramPath(path: string): boolean {
  return /\.(ts|tsx|js|mjs|cjs|py)$/.test(path) && !NOT_PROGRAMS.test(path);
}

/** Pulumi YAML programs: `Pulumi.yaml` / `Main.yaml` of a YAML project. */
export function isPulumiYamlPath(path: string): boolean {
  return /(^|\/)(Pulumi|Main)\.ya?ml$/.test(path);
}

export const PROGRAM_GLOBS = ["**/*.ts", "**/*.tsx", "**/*.js", "**/*.mjs", "**/*.cjs", "**/*.py"];

/** Imports (or the issuer) that make a program worth parsing. */
const PRECHECK =
  /aws-cdk-lib|@aws-cdk\/aws-iam|aws_cdk|aws-cdk-github-oidc|@pulumi\/aws|pulumi_aws|@cdktf\/provider-aws|cdktf_cdktf_provider_aws|token\.actions\.githubusercontent\.com/;

export function passesPrecheck(text: string): boolean {
  return PRECHECK.test(text);
}

/** The framework a program uses, for `ParsedFile.format`. */
export function programFormat(text: string): string {
  if (/@cdktf\/provider-aws|cdktf_cdktf_provider_aws/.test(text)) return "cdktf";
  if (/@pulumi\/|pulumi_aws|^\s*import pulumi/m.test(text)) return "pulumi";
  if (/aws-cdk-lib|@aws-cdk\/|aws_cdk/.test(text)) return "cdk";
  return "program";
}

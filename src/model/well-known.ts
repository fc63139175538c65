/** The well-known values of GitHub Actions → AWS federation, each written once. */

/** GitHub Actions' OIDC issuer host: tokens carry `iss: https://token.actions.githubusercontent.com`. */
export const GITHUB_ISSUER_HOST = "token.actions.githubusercontent.com";

/** The audience `aws-actions/configure-aws-credentials` requests unless told otherwise, and the provider's usual client ID. */
export const DEFAULT_AWS_AUDIENCE = "sts.amazonaws.com";

/** STS's audience in the AWS China partition (`aws-cn`). */
export const CHINA_AWS_AUDIENCE = "sts.amazonaws.com.cn";

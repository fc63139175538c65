/**
 * Which Terraform files can matter, from their text and path alone (`planRun` in `index.ts` decides with
 * these; the format's pre-check in `formats.ts` drops at once, before any other file is read, a file that no
 * directory could make matter). Kept apart from the parser so that the pre-check loads none of it.
 */

const RELEVANT =
  /assume_role_policy|aws_iam_policy_document|aws_iam_openid_connect_provider|"aws_iam_(?:role_|user_|group_)?policy"|iam-github-oidc-role|oidc-github|github-oidc/;
/** One of the words every alternative of `RELEVANT` holds: most files hold none (one native scan of each). */
const RELEVANT_WORDS = /oidc|aws_iam_|assume_role_policy/;
/** Whether a file defines policies, roles or providers, or calls a known OIDC module (`RELEVANT`, its words first). */
export function mentionsPolicies(text: string): boolean {
  return RELEVANT_WORDS.test(text) && RELEVANT.test(text);
}

const SUPPORT = /(?:^|\n)\s*(?:variable|locals)\b|"variable"\s*:|"locals"\s*:|template_file/;
/** One of the words every alternative of `SUPPORT` holds (the pattern is slow on long text without them). */
const SUPPORT_WORDS = /variable|locals|template_file/;
/** Whether a file defines variables, locals or a `template_file` (`SUPPORT`, its words first). */
export function supports(text: string): boolean {
  return SUPPORT_WORDS.test(text) && SUPPORT.test(text);
}

/** The variable files Terraform loads by itself. */
export const AUTO_TFVARS = /(^|\/)(terraform\.tfvars|[^/]*\.auto\.tfvars)(\.json)?$/;

/** What every local module source holds: `"./` or `"../`. */
export const QUOTED_RELATIVE = /"\.\.?\//;

export function isTfvarsPath(path: string): boolean {
  return path.endsWith(".tfvars") || path.endsWith(".tfvars.json");
}

/**
 * Whether `planRun` could select the file in some directory: an automatic variable file, or a file that names a
 * policy (`mentionsPolicies`), a local module (`QUOTED_RELATIVE`) or variables and locals (`supports`), each
 * tested by the words its pattern needs. Any other file (outputs, providers, versions, resources of other kinds)
 * is never parsed, so its text need not be kept.
 */
export function maySelect(text: string, path: string): boolean {
  if (isTfvarsPath(path)) return AUTO_TFVARS.test(path);
  return ANY_WORDS.test(text);
}

/** Any of the words of `RELEVANT_WORDS`, `QUOTED_RELATIVE` and `SUPPORT_WORDS`: one scan of the text instead of three. */
const ANY_WORDS = new RegExp([RELEVANT_WORDS.source, QUOTED_RELATIVE.source, SUPPORT_WORDS.source].join("|"));

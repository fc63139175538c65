/**
 * Placeholders: names left in a policy file to be filled in before it is deployed (a template for people or for
 * a pipeline's substitution step). Neither an IAM ARN nor a claim GitHub issues carries these characters, so a
 * value holding one is judged as a placeholder left in, not as a typo.
 */

/**
 * A name in braces or angle brackets (`{account-id}`, `{{ org }}`, `<OWNER>`) or a shell/`envsubst` variable
 * (`$AWS_ACCOUNT_ID`, `${ORG}`). A Terraform or CloudFormation interpolation is not one: it reaches the rules as an
 * unknown part, never as text.
 */
export const PLACEHOLDER = /\{\{?\s*[A-Za-z_][\w .-]*?\s*\}\}?|<[A-Za-z_][\w .-]*>|\$\{[A-Za-z_]\w*\}|\$[A-Za-z_]\w*/;

/** The field itself when it is wholly a placeholder (`PLACEHOLDER`), else undefined. */
function wholly(field: string): string | undefined {
  const m = PLACEHOLDER.exec(field);
  return m && m[0] === field ? field : undefined;
}

/**
 * The account field of an ARN when it stands for an account id: a `PLACEHOLDER`, or a name with no digit
 * (`ACCOUNT_ID`, `account-id`, `XXXXXXXXXXXX`). An id with a digit too many or too few is a typo, not a placeholder.
 */
export function accountPlaceholder(field: string): string | undefined {
  return /^[A-Za-z_][A-Za-z_-]*$/.test(field) ? field : wholly(field);
}

/**
 * The partition field of an ARN when it stands for a partition: a `PLACEHOLDER`, or a name in capitals that is no
 * partition written in capitals (`PARTITION`, `AWS_PARTITION`; not `AWS`). `partitions` are the real ones.
 */
export function partitionPlaceholder(field: string, partitions: ReadonlySet<string>): string | undefined {
  return /^[A-Z][A-Z_]*$/.test(field) && !partitions.has(field.toLowerCase()) ? field : wholly(field);
}

import type { Located, SourceLocation } from "./location.js";
import type { StrValue } from "./value.js";

/**
 * A list of string values. `unknown` is set when the list itself (or some of its items) could not be
 * resolved, e.g. `values = var.subjects` without a default: the known items are then not all there is.
 */
export interface ValueList {
  items: StrValue[];
  unknown?: { expr: string; loc: SourceLocation };
  loc: SourceLocation;
}

export type PrincipalType = "Federated" | "Service" | "AWS" | "CanonicalUser" | "*";

export interface Principal {
  type: Located<PrincipalType>;
  values: ValueList;
}

/** One condition: operator × key × values. `StringLike` `{ k: [a, b] }` is one Condition. */
export interface Condition {
  /** As written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: Located<string>;
  /** As written; compare case-insensitively (IAM condition keys are case-insensitive). */
  key: StrValue;
  values: ValueList;
  loc: SourceLocation;
}

export interface Statement {
  sid?: Located<string>;
  /** `Allow` / `Deny` as written; undefined when absent or unknown. */
  effect?: StrValue;
  /** Principals of `Principal` (or of `NotPrincipal`, with `notPrincipal` set). */
  principals: Principal[];
  notPrincipal: boolean;
  /** `Principal: "*"` */
  anyPrincipal: boolean;
  actions: ValueList;
  notAction: boolean;
  conditions: Condition[];
  /** The `Condition` element itself (or the statement when absent), for findings about missing conditions. */
  conditionLoc?: SourceLocation;
  /**
   * Set when the `Condition` element, or one operator's block inside it, could not be resolved
   * (`condition = var.conditions`): `conditions` then holds only what is known, and a rule must not
   * conclude that a condition is absent.
   */
  unknownConditions?: { expr: string; loc: SourceLocation };
  loc: SourceLocation;
}

/** Where a policy document is used. Only trust policies decide who may assume a role. */
export type PolicyKind = "trust" | "permissions" | "unknown";

/** An IAM role as far as the linted files define it, for matching workflows' `role-to-assume`. */
export interface RoleInfo {
  /** Resource address or logical id, e.g. `aws_iam_role.deploy`, `DeployRole`. */
  id: string;
  name?: StrValue;
  namePrefix?: StrValue;
  path?: StrValue;
  loc: SourceLocation;
}

export interface PolicyDocument {
  kind: PolicyKind;
  statements: Statement[];
  /** The document's root node (the JSON object, the `jsonencode(...)` call, the data block). */
  loc: SourceLocation;
  role?: RoleInfo;
  /** Partition of the surrounding template when known (`aws`, `aws-cn`, `aws-us-gov`), for `malformed-principal`. */
  partition?: string;
  /**
   * For a CloudFormation document holding `Fn::If`: the branches this reading of it takes, e.g.
   * `condition IsProd true, condition UseOrg false`. Such a document is given once per assignment of its
   * conditions; values inside a branch also say so in their `origin`. For findings about something
   * absent (a condition removed by `AWS::NoValue` in one branch), name this in the message.
   */
  branch?: string;
  /** How the document was obtained, for messages: "raw JSON", "aws iam get-role output", "jsonencode", … */
  source: string;
}

/** An IAM OIDC identity provider (`aws_iam_openid_connect_provider`, `AWS::IAM::OIDCProvider`). */
export interface OidcProvider {
  id: string;
  url?: StrValue;
  clientIds?: ValueList;
  thumbprints?: ValueList;
  loc: SourceLocation;
}

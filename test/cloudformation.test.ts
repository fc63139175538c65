import { describe, expect, it } from "vitest";
import type { PolicyDocument, Statement } from "../src/model/policy.js";
import type { ParsedFile } from "../src/model/project.js";
import { displayText, type StrValue } from "../src/model/value.js";
import { parseCloudFormation } from "../src/parsers/cloudformation/index.js";
import { parseDocumentFile } from "../src/parsers/index.js";
import type { ParseEnv } from "../src/parsers/source.js";

const env = {} as ParseEnv;

function parse(text: string, path = "template.yaml"): ParsedFile {
  const out = parseCloudFormation({ path, abs: `/r/${path}`, text }, env);
  if (!out) throw new Error("not recognised as a template");
  return out;
}

function at(v: StrValue | undefined): string {
  return v ? `${v.loc.line}:${v.loc.column}` : "none";
}

function conditionValues(stmt: Statement | undefined, claim: string): string[] {
  return (stmt?.conditions ?? [])
    .filter((c) => displayText(c.key).endsWith(`:${claim}`))
    .flatMap((c) => c.values.items.map(displayText));
}

function firstStatement(doc: PolicyDocument | undefined): Statement | undefined {
  return doc?.statements[0];
}

const AWS_SAMPLE = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  GitHubOrg:
    Type: String
    Default: acme
  RepositoryName:
    Type: String
    Default: app
  OIDCProviderArn:
    Type: String
    Default: ""
Conditions:
  CreateOIDCProvider: !Equals [!Ref OIDCProviderArn, ""]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: github-deploy
      Path: /ci/
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRoleWithWebIdentity
            Principal:
              Federated: !If [CreateOIDCProvider, !Ref GithubOidc, !Ref OIDCProviderArn]
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
              StringLike:
                token.actions.githubusercontent.com:sub: !Sub repo:\${GitHubOrg}/\${RepositoryName}:*
      Policies:
        - PolicyName: deploy
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:*
                Resource: "*"
  GithubOidc:
    Type: AWS::IAM::OIDCProvider
    Condition: CreateOIDCProvider
    Properties:
      Url: https://token.actions.githubusercontent.com
      ClientIdList: [sts.amazonaws.com]
      ThumbprintList: [ffffffffffffffffffffffffffffffffffffffff]
`;

describe("CloudFormation: AWS's sample template", () => {
  const out = parse(AWS_SAMPLE);

  it("reads the role's trust policy once (the Fn::If is between two values), and no permissions policy", () => {
    expect(out.problems).toEqual([]);
    expect(out.policies.map((d) => [d.kind, d.branch])).toEqual([["trust", undefined]]);
    const role = out.policies[0]?.role;
    expect(role?.id).toBe("Role");
    expect(role?.name && displayText(role.name)).toBe("github-deploy");
    expect(role?.path && displayText(role.path)).toBe("/ci/");
  });

  it("resolves !Sub with parameter defaults, located at the !Sub, naming the parameters", () => {
    const stmt = firstStatement(out.policies[0]);
    const sub = stmt?.conditions.find((c) => displayText(c.key).endsWith(":sub"))?.values.items[0];
    expect(sub && displayText(sub)).toBe("repo:acme/app:*");
    expect(at(sub)).toBe("30:58");
    expect(sub?.origin).toBe(
      "parameter GitHubOrg default (template.yaml:5); parameter RepositoryName default (template.yaml:8)",
    );
  });

  it("reads both values of !If side by side: the provider's ARN (true) and the parameter, not its default (false)", () => {
    const [federated, other] = firstStatement(out.policies[0])?.principals[0]?.values.items ?? [];
    expect(federated && displayText(federated)).toBe(
      "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com",
    );
    expect(at(federated)).toBe("25:51");
    expect(federated?.origin).toContain("the true branch of !If CreateOIDCProvider (template.yaml:25)");
    // CreateOIDCProvider is false only when OIDCProviderArn is not "": its default cannot be used there.
    expect(other?.parts).toEqual([{ unknown: "OIDCProviderArn" }]);
    expect(other?.origin).toBe(
      "parameter OIDCProviderArn, unknown when condition CreateOIDCProvider is false (its Default makes it true); the false branch of !If CreateOIDCProvider (template.yaml:25)",
    );
  });

  it("reads the OIDC provider", () => {
    expect(out.providers).toHaveLength(1);
    const p = out.providers[0];
    expect(p?.id).toBe("GithubOidc");
    expect(p?.url && displayText(p.url)).toBe("https://token.actions.githubusercontent.com");
    expect(p?.clientIds?.items.map(displayText)).toEqual(["sts.amazonaws.com"]);
    expect(p?.thumbprints?.items).toHaveLength(1);
  });
});

describe("CloudFormation: intrinsic functions", () => {
  it("reads long forms like short forms", () => {
    const short = parse(`Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Condition:
              StringLike:
                a:sub: !Join ["", ["repo:", !Ref Org, "/app:", !Select [1, !Split [",", "x,ref:refs/heads/main"]]]]
Parameters:
  Org: { Type: String, Default: acme }
`);
    const long = parse(`Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Condition:
              StringLike:
                a:sub:
                  Fn::Join: ["", ["repo:", {Ref: Org}, "/app:", {"Fn::Select": [1, {"Fn::Split": [",", "x,ref:refs/heads/main"]}]}]]
Parameters:
  Org: { Type: String, Default: acme }
`);
    expect(conditionValues(firstStatement(short.policies[0]), "sub")).toEqual(["repo:acme/app:ref:refs/heads/main"]);
    expect(conditionValues(firstStatement(long.policies[0]), "sub")).toEqual(["repo:acme/app:ref:refs/heads/main"]);
  });

  it("keeps what cannot be resolved as unknowns: parameters without default, !ImportValue, pseudo parameters", () => {
    const out = parse(`AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Org:
    Type: String
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Condition:
              StringLike:
                a:sub:
                  - !Sub repo:\${Org}/app:*
                  - !Sub
                    - repo:\${Owner}/\${Repo}:ref:refs/heads/\${!Branch}
                    - Owner: !ImportValue SharedOrg
                      Repo: web
                  - !Sub repo:acme/\${AWS::StackName}:*
`);
    const values = firstStatement(out.policies[0])?.conditions[0]?.values.items ?? [];
    expect(values.map(displayText)).toEqual([
      "repo:${Org}/app:*",
      "repo:${ImportValue SharedOrg}/web:ref:refs/heads/${Branch}",
      "repo:acme/${AWS::StackName}:*",
    ]);
    expect(values[0]?.parts).toEqual(["repo:", { unknown: "Org" }, "/app:*"]);
    expect(values[0]?.origin).toBe("parameter Org, which has no Default (template.yaml:3)");
    // `${!Branch}` is the literal text `${Branch}`, not a variable.
    expect(values[1]?.parts.at(-1)).toBe("/web:ref:refs/heads/${Branch}");
  });

  it("resolves mappings with literal keys and CommaDelimitedList defaults", () => {
    const out = parse(`AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Subjects:
    Type: CommaDelimitedList
    Default: "repo:acme/app:ref:refs/heads/main, repo:acme/app:environment:prod"
  Stage:
    Type: String
    Default: prod
Mappings:
  Audiences:
    prod: { aud: sts.amazonaws.com }
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Condition:
              StringEquals:
                a:aud: !FindInMap [Audiences, !Ref Stage, aud]
                a:sub: !Ref Subjects
`);
    const stmt = firstStatement(out.policies[0]);
    expect(conditionValues(stmt, "aud")).toEqual(["sts.amazonaws.com"]);
    expect(stmt?.conditions[0]?.values.items[0]?.origin).toBe("mapping Audiences.prod.aud (template.yaml:11)");
    expect(conditionValues(stmt, "sub")).toEqual([
      "repo:acme/app:ref:refs/heads/main",
      "repo:acme/app:environment:prod",
    ]);
  });

  it("reads both branches of !If, including one that removes the condition with AWS::NoValue", () => {
    const out = parse(`AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  Strict: !Equals [!Ref AWS::Region, us-east-1]
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Condition: !If
              - Strict
              - StringEquals: { a:sub: repo:acme/app:ref:refs/heads/main }
              - !Ref AWS::NoValue
`);
    expect(out.policies.map((d) => [d.branch, d.statements[0]?.conditions.length])).toEqual([
      ["condition Strict true", 1],
      ["condition Strict false", 0],
    ]);
    expect(out.policies[0]?.statements[0]?.conditions[0]?.values.items[0]?.origin).toBe(
      "the true branch of !If Strict (template.yaml:11)",
    );
  });

  it("reads !If between values as both values, in a list or as a single value", () => {
    const out = parse(`AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  AnyBranch: !Equals [!Ref AWS::Region, us-east-1]
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Condition:
              StringLike:
                a:sub:
                  - repo:acme/app:environment:prod
                  - !If [AnyBranch, "repo:acme/app:*", !Ref AWS::NoValue]
                a:aud: !If [AnyBranch, sts.amazonaws.com, sts.amazonaws.com.cn]
`);
    expect(out.policies).toHaveLength(1);
    const stmt = firstStatement(out.policies[0]);
    expect(conditionValues(stmt, "sub")).toEqual(["repo:acme/app:environment:prod", "repo:acme/app:*"]);
    expect(conditionValues(stmt, "aud")).toEqual(["sts.amazonaws.com", "sts.amazonaws.com.cn"]);
    expect(stmt?.conditions[0]?.values.items[1]?.origin).toBe("the true branch of !If AnyBranch (template.yaml:15)");
    expect(at(stmt?.conditions[0]?.values.items[1])).toBe("15:37");
  });

  it("evaluates conditions that share other conditions, and survives conditions that name themselves", () => {
    const out = parse(`AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ProviderArn: { Type: String, Default: "" }
Conditions:
  NoArn: !Equals [!Ref ProviderArn, ""]
  Create: !And [!Condition NoArn, !Not [!Not [!Condition NoArn]]]
  Loop: !Not [!Condition Loop]
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Federated: !If [Create, arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com, !Ref ProviderArn]
              AWS: !If [Loop, !Ref ProviderArn, x]
`);
    const [federated, aws] = firstStatement(out.policies[0])?.principals ?? [];
    expect(federated?.values.items.map(displayText)).toEqual([
      "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      "${ProviderArn}",
    ]);
    // Loop has no value: its branches read the parameter as they would anywhere (a Default of "" is unknown).
    expect(aws?.values.items.map(displayText)).toEqual(["${ProviderArn}", "x"]);
  });

  it("reads an AssumeRolePolicyDocument given as a JSON string", () => {
    const out = parse(`Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: !Sub |
        {"Statement": [{"Effect": "Allow", "Condition": {"StringLike": {"a:sub": "repo:\${Org}/*"}}}]}
`);
    const values = firstStatement(out.policies[0])?.conditions[0]?.values.items ?? [];
    expect(values[0]?.parts).toEqual(["repo:", { unknown: "Org" }, "/*"]);
    // Placed at its own line and column inside the block (issue 10 item 7), not on the `!Sub |` line.
    expect(at(values[0])).toBe("6:82");
  });

  it("does not throw on unknown tags or malformed intrinsics", () => {
    const out = parse(`AWSTemplateFormatVersion: "2010-09-09"
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [!Unknown {x: 1}, !Sub [!Sub x, {a: !If [C]}], !Join [], !Select [9, [a]], !GetAtt, !Ref , !FindInMap [A]]
`);
    expect(out.problems).toEqual([]);
  });
});

describe("CloudFormation: SAM and CDK output", () => {
  it("reads the role SAM creates for a function, unless the function names its own Role", () => {
    const out = parse(`Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      RolePath: /sam/
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
  WithRole:
    Type: AWS::Serverless::Function
    Properties:
      Role: arn:aws:iam::123456789012:role/existing
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com } }]
`);
    expect(out.policies.map((d) => [d.role?.id, d.source])).toEqual([["FnRole", "SAM AWS::Serverless::Function"]]);
    expect(out.policies[0]?.role?.path && displayText(out.policies[0].role.path)).toBe("/sam/");
  });

  it("reads cdk.out templates: Fn::Join ARNs, CDK's custom OIDC provider and Ref to it", async () => {
    const text = JSON.stringify(
      {
        Resources: {
          GithubProvider5E4C3C1A: {
            Type: "Custom::AWSCDKOpenIdConnectProvider",
            Properties: { ClientIDList: ["sts.amazonaws.com"], Url: "https://token.actions.githubusercontent.com" },
          },
          DeployRole2F9F2E3C: {
            Type: "AWS::IAM::Role",
            Properties: {
              AssumeRolePolicyDocument: {
                Statement: [
                  {
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Effect: "Allow",
                    Principal: { Federated: { Ref: "GithubProvider5E4C3C1A" } },
                  },
                  {
                    Effect: "Allow",
                    Principal: {
                      Federated: {
                        "Fn::Join": [
                          "",
                          [
                            "arn:",
                            { Ref: "AWS::Partition" },
                            ":iam::",
                            { Ref: "AWS::AccountId" },
                            ":oidc-provider/token.actions.githubusercontent.com",
                          ],
                        ],
                      },
                    },
                  },
                ],
              },
              ManagedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"],
            },
          },
        },
        Parameters: {
          BootstrapVersion: { Type: "AWS::SSM::Parameter::Value<String>", Default: "/cdk-bootstrap/hnb659fds/version" },
        },
      },
      null,
      1,
    );
    const out = await parseDocumentFile(
      { path: "cdk.out/Deploy.template.json", abs: "/r/cdk.out/Deploy.template.json", text },
      env,
    );
    expect(out?.format).toBe("cloudformation");
    const doc = out?.policies[0];
    expect(doc?.partition).toBe("aws-us-gov");
    expect(doc?.statements.flatMap((s) => s.principals.flatMap((p) => p.values.items.map(displayText)))).toEqual([
      "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com",
      "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com",
    ]);
    expect(out?.providers[0]?.clientIds?.items.map(displayText)).toEqual(["sts.amazonaws.com"]);
  });
});

describe("CloudFormation: recognition and bad input", () => {
  it("reports YAML syntax errors with their location", () => {
    const out = parse(`AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties: { AssumeRolePolicyDocument: [
`);
    expect(out.problems).toHaveLength(1);
    expect(out.problems[0]?.loc.line).toBeGreaterThan(1);
  });

  it("is not fooled by a file that only mentions a resource type", async () => {
    const src = {
      path: "notes.yaml",
      abs: "/r/notes.yaml",
      text: "docs:\n  - Type: AWS::IAM::Role is what you want\n",
    };
    expect(parseCloudFormation(src, env)).toBeUndefined();
    expect(await parseDocumentFile(src, env)).toBeUndefined();
  });

  it("reads YAML templates with the .template extension", async () => {
    const out = await parseDocumentFile({ path: "stack.template", abs: "/r/stack.template", text: AWS_SAMPLE }, env);
    expect(out?.format).toBe("cloudformation");
    expect(out?.policies).toHaveLength(1);
  });

  it("does not expand YAML aliases", () => {
    const bomb = ["AWSTemplateFormatVersion: '2010-09-09'", 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(",")}]`,
      );
    bomb.push(
      "Resources:",
      "  R:",
      "    Type: AWS::IAM::Role",
      "    Properties:",
      "      AssumeRolePolicyDocument:",
      "        Statement: [*l, *l]",
    );
    const started = Date.now();
    const out = parse(bomb.join("\n"));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(out.policies[0]?.statements).toEqual([]);
  });
});

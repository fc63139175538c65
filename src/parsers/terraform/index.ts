import { LineIndex, type SourceLocation } from "../../model/location.js";
import { normalisePolicy } from "../../model/normalise-policy.js";
import { treeString, treeValueList } from "../../model/normalise-policy.js";
import type { OidcProvider, PolicyDocument, PolicyKind, RoleInfo } from "../../model/policy.js";
import { emptyParsed, type ParsedFile } from "../../model/project.js";
import type { TreeNode } from "../../model/tree.js";
import type { ParseEnv, SourceFile } from "../source.js";
import { policyConditionValues } from "./conditional-values.js";
import { parseEmbeddedJson, textAt, type Segment } from "./embedded-json.js";
import { evaluate, stringSegments, type Scope } from "./evaluate.js";
import { hclSyntaxError } from "./hcl.js";
import { parseHclFile } from "./hcl-body.js";
import { scanHcl } from "./hcl-locate.js";
import { addToModule, blocksOfHcl, blocksOfJson, newModule, type Block, type Expr, type TfFile } from "./module.js";
import { knownModulePolicies } from "./modules.js";
import { policyDocumentTree } from "./policy-document.js";

/**
 * Terraform modules: every `*.tf`, `*.tf.json`, `*.tfvars`, `*.tfvars.json` of the run at once, grouped
 * by directory (one directory = one module, whose files share variables and locals). Only files that can
 * matter are parsed: those that mention a role, a policy document, an OIDC provider or a known OIDC
 * module, plus the variable/locals/tfvars files of their directories. The other files are left alone.
 *
 * HCL is parsed by the TypeScript parser (`hcl-body.ts`, `hcl-expression.ts`). Only when it finds a
 * problem is `@cdktf/hcl2json` (Go WebAssembly, slow to start) loaded: its error becomes the file's
 * parse problem; if it accepts the file, the TypeScript parser has a gap, and the file is read the old
 * way (lenient scanner, hcl2json expression ASTs), which `OIDCLINT_DEBUG` reports.
 */
const RELEVANT = /assume_role_policy|aws_iam_policy_document|aws_iam_openid_connect_provider|"aws_iam_(?:role_|user_|group_)?policy"|iam-github-oidc-role|oidc-github|github-oidc/;
const SUPPORT = /(?:^|\n)\s*(?:variable|locals)\b|"variable"\s*:|"locals"\s*:|template_file/;
const AUTO_TFVARS = /(^|\/)(terraform\.tfvars|[^/]*\.auto\.tfvars)(\.json)?$/;
const PERMISSION_RESOURCES = new Set(["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"]);

export async function parseTerraform(files: SourceFile[], env: ParseEnv): Promise<ParsedFile[]> {
  const byDir = new Map<string, SourceFile[]>();
  for (const f of files) {
    const dir = f.path.includes("/") ? f.path.slice(0, f.path.lastIndexOf("/")) : ".";
    const list = byDir.get(dir) ?? [];
    list.push(f);
    byDir.set(dir, list);
  }
  const out: ParsedFile[] = [];
  for (const [dir, dirFiles] of byDir) {
    const relevant = dirFiles.filter((f) => !/\.tfvars(\.json)?$/.test(f.path) && RELEVANT.test(f.text));
    if (relevant.length === 0) continue;
    const selected = dirFiles.filter((f) => relevant.includes(f) || (/\.tfvars(\.json)?$/.test(f.path) ? AUTO_TFVARS.test(f.path) : SUPPORT.test(f.text)));
    out.push(...(await parseModule(dir, selected, env)));
  }
  return out;
}

async function parseModule(dir: string, files: SourceFile[], env: ParseEnv): Promise<ParsedFile[]> {
  const mod = newModule(dir, env);
  const parsed = new Map<string, ParsedFile>();
  const tfvarsFiles: { file: TfFile; top: Block }[] = [];
  for (const src of files) {
    const out = emptyParsed(src.path, "terraform");
    parsed.set(src.path, out);
    const file: TfFile = { src, index: new LineIndex(src.path, src.text) };
    let top: Block;
    if (src.path.endsWith(".json")) {
      const json = parseEmbeddedJson([textAt(src.text, 0, (s, e) => file.index.span(s, e))]);
      if ("error" in json) {
        out.problems.push({ message: `Invalid JSON in a Terraform file: ${json.error}`, loc: json.loc });
        continue;
      }
      top = src.path.endsWith(".tfvars.json") ? tfvarsOfJson(file, json.tree) : blocksOfJson(file, json.tree);
    } else {
      const own = parseHclFile(src.text);
      if ("body" in own) top = blocksOfHcl(file, own.body);
      else {
        const error = await hclSyntaxError(src.path, src.text);
        if (error) {
          out.problems.push(heredocProblem(own.problem, error, file) ?? error);
          continue;
        }
        if (process.env.OIDCLINT_DEBUG) {
          const at = file.index.position(own.problem.start);
          console.error(`oidclint: ${src.path}:${at.line}:${at.column}: the TypeScript HCL parser refused this file (${own.problem.message}) but hcl2json accepts it; reading it with hcl2json`);
        }
        top = blocksOfHcl(file, scanHcl(src.text));
      }
    }
    if (/\.tfvars(\.json)?$/.test(src.path)) tfvarsFiles.push({ file, top });
    else addToModule(mod, top);
  }
  // terraform.tfvars first, then *.auto.tfvars in lexical order: later files win.
  tfvarsFiles.sort((a, b) => tfvarsRank(a.file.src.path) - tfvarsRank(b.file.src.path) || a.file.src.path.localeCompare(b.file.src.path));
  for (const { top } of tfvarsFiles) for (const [k, attr] of top.attrs) mod.tfvars.set(k, attr);

  const scope: Scope = { module: mod, names: new Map(), depth: 0, policyDocument: (b, s) => policyDocumentTree(b, s) };
  const fileOf = (b: Block): ParsedFile => parsed.get(b.file.src.path) ?? emptyParsed(b.file.src.path, "terraform");
  for (const [address, block] of mod.resources) {
    const [type, name = ""] = address.split(".");
    const out = fileOf(block);
    if (type === "aws_iam_role") {
      const attr = block.attrs.get("assume_role_policy");
      if (!attr) continue;
      const role = await roleInfo(block, address, scope);
      await addPolicy(out, attr.expr, scope, "trust", role);
    } else if (type && PERMISSION_RESOURCES.has(type)) {
      const attr = block.attrs.get("policy");
      if (attr) await addPolicy(out, attr.expr, scope, "permissions", undefined);
    } else if (type === "aws_iam_openid_connect_provider") {
      out.providers.push(await provider(block, `aws_iam_openid_connect_provider.${name}`, scope));
    }
  }
  // A policy document no resource of the module uses (an output, a module argument): judged by its content.
  const allText = files.map((f) => f.text).join("\n");
  for (const [address, block] of mod.data) {
    const [type, name = ""] = address.split(".");
    if (type !== "aws_iam_policy_document") continue;
    if (new RegExp(`aws_iam_policy_document\\.${name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}\\b`).test(allText)) continue;
    const tree = await policyDocumentTree(block, scope);
    const doc = normalisePolicy(tree, { source: "aws_iam_policy_document" });
    if (doc) fileOf(block).policies.push(doc);
  }
  for (const block of mod.modules) {
    const found = await knownModulePolicies(block, scope);
    const out = fileOf(block);
    out.policies.push(...found.policies);
    out.providers.push(...found.providers);
  }
  return [...parsed.values()];
}

/**
 * hcl2json reports a heredoc without its closing marker at the end of the file; the place to fix is
 * the `<<EOF` that opened it, which the TypeScript parser knows.
 */
function heredocProblem(own: { message: string; start: number }, error: { message: string; loc: SourceLocation }, file: TfFile): { message: string; loc: SourceLocation } | undefined {
  const marker = /^Unterminated heredoc: no line "([^"]*)"/.exec(own.message)?.[1];
  if (marker === undefined) return undefined;
  const intro = file.src.text.lastIndexOf("<<", own.start);
  if (intro < 0) return undefined;
  const introEnd = file.src.text.indexOf(marker, intro) + marker.length;
  const loc = file.index.span(intro, Math.max(introEnd, intro + 2));
  if (error.loc.line < loc.line) return undefined;
  return { message: error.message.replace(/\. oidclint cannot/, `: no line "${marker}" closes the heredoc started here. oidclint cannot`), loc };
}

function tfvarsRank(path: string): number {
  return /(^|\/)terraform\.tfvars$/.test(path) ? 0 : /(^|\/)terraform\.tfvars\.json$/.test(path) ? 1 : 2;
}

function tfvarsOfJson(file: TfFile, tree: TreeNode): Block {
  const top: Block = { type: "", labels: [], attrs: new Map(), blocks: [], loc: tree.loc, file };
  if (tree.kind === "object") for (const e of tree.entries) top.attrs.set(e.key.value, { name: e.key.value, expr: { kind: "json", file, node: e.value }, loc: e.key.loc });
  return top;
}

async function roleInfo(block: Block, address: string, scope: Scope): Promise<RoleInfo> {
  const role: RoleInfo = { id: address, loc: block.loc };
  for (const [attr, key] of [
    ["name", "name"],
    ["name_prefix", "namePrefix"],
    ["path", "path"],
  ] as const) {
    const a = block.attrs.get(attr);
    if (!a) continue;
    const v = treeString(await evaluate(a.expr, scope));
    if (v) role[key] = v;
  }
  return role;
}

async function provider(block: Block, id: string, scope: Scope): Promise<OidcProvider> {
  const p: OidcProvider = { id, loc: block.loc };
  const url = block.attrs.get("url");
  const clients = block.attrs.get("client_id_list");
  const thumbs = block.attrs.get("thumbprint_list");
  if (url) {
    const v = treeString(await evaluate(url.expr, scope));
    if (v) p.url = v;
  }
  if (clients) p.clientIds = treeValueList(await evaluate(clients.expr, scope));
  if (thumbs) p.thumbprints = treeValueList(await evaluate(thumbs.expr, scope));
  return p;
}

function sourceName(expr: Expr, value: TreeNode): string {
  const text = expr.kind === "hcl" ? expr.file.src.text.slice(expr.start, Math.min(expr.end, expr.start + 40)) : "";
  if (text.startsWith("jsonencode")) return "jsonencode";
  if (text.startsWith("<<")) return "heredoc JSON";
  if (text.startsWith("templatefile")) return "templatefile()";
  if (text.startsWith("file")) return "file()";
  if (text.includes("aws_iam_policy_document")) return "aws_iam_policy_document";
  if (text.includes("template_file")) return "data.template_file";
  if (expr.kind === "json") return "Terraform JSON";
  return value.kind === "object" ? "Terraform expression" : "JSON string";
}

async function addPolicy(out: ParsedFile, expr: Expr, scope: Scope, kind: PolicyKind, role: RoleInfo | undefined): Promise<void> {
  const value = await evaluate(expr, scope);
  const source = sourceName(expr, value);
  const ctx = { kind, source, ...(role ? { role } : {}) };
  const doc = policyFromValue(value, ctx, out);
  if (doc) out.policies.push(doc);
}

/** A policy given as a tree (jsonencode, policy document) or as JSON text (heredoc, file, template). */
export function policyFromValue(value: TreeNode, ctx: { kind: PolicyKind; source: string; role?: RoleInfo }, out: ParsedFile): PolicyDocument | undefined {
  if (value.kind === "object") return normalisePolicy(policyConditionValues(value), ctx);
  if (value.kind !== "string") return undefined;
  const segments: Segment[] = stringSegments.get(value) ?? value.value.parts.map((p) => (typeof p === "string" ? { text: p, locate: () => value.loc } : { node: { kind: "unknown", expr: p.unknown, loc: value.loc } }));
  if (segments.every((s) => "node" in s && s.node.kind === "unknown")) return undefined;
  const json = parseEmbeddedJson(segments);
  if ("error" in json) {
    out.problems.push({ message: `The ${ctx.kind === "trust" ? "trust" : "policy"} document (${ctx.source}) is not valid JSON: ${json.error}; IAM would reject it (MalformedPolicyDocument).`, loc: json.loc });
    return undefined;
  }
  return normalisePolicy(policyConditionValues(json.tree), ctx, value.loc);
}

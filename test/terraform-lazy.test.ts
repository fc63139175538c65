/**
 * Top-level blocks are found by a scan (`src/parsers/terraform/hcl-scan.ts`) and parsed only when evaluation
 * reads them. The scan must find exactly the blocks the parser finds (every file of fixtures/ and the tricky
 * shapes below), refuse what it does not understand, and a syntax error must be reported when it is in a
 * block oidclint reads or breaks the file's structure, but not when it is inside a block no rule reads.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import type { ParsedFile } from "../src/model/project.js";
import { parseHclFile, type HclBody } from "../src/parsers/terraform/hcl-body.js";
import { parseExpressionAt } from "../src/parsers/terraform/hcl-expression.js";
import { scanBody, scanTopLevel } from "../src/parsers/terraform/hcl-scan.js";
import { parseTerraform } from "../src/parsers/terraform/index.js";
import { displayText } from "../src/model/value.js";

async function parse(files: Record<string, string>): Promise<ParsedFile[]> {
  return parseTerraform(
    Object.entries(files).map(([path, text]) => ({ path, abs: `/repo/${path}`, text })),
    { root: "/repo", settings: defaultSettings(), readFile: () => undefined },
  );
}

/** The blocks as `type label… @offset`, from the scan and from the full parse. */
function scanned(text: string): string[] | undefined {
  return scanTopLevel(text)?.map((b) =>
    [b.type, ...b.labels.map((l) => `${l.value}@${l.start}`), `@${b.typeStart}`].join(" "),
  );
}
function parsed(text: string): string[] | undefined {
  const r = parseHclFile(text);
  if ("problem" in r || r.body.attributes.length > 0) return undefined;
  return r.body.blocks.map((b) =>
    [b.type, ...b.labels.map((l) => `${l.value}@${l.start}`), `@${b.typeStart}`].join(" "),
  );
}

/**
 * Each top-level block's body as the scan gives it (arguments with their expression's extent, nested blocks),
 * undefined where it refuses; and as the parser gives it, with each scanned expression parsed where it starts.
 */
function bodyShape(b: HclBody): unknown {
  return {
    attributes: b.attributes.map((a) => `${a.name}@${a.nameStart} ${a.exprStart}-${a.exprEnd}`),
    blocks: b.blocks.map((x) => [
      x.type,
      x.labels.map((l) => `${l.value}@${l.start}`),
      x.typeStart,
      x.end,
      bodyShape(x.body),
    ]),
  };
}
function scannedBodies(text: string): unknown[] | undefined {
  return scanTopLevel(text)?.map((b) => {
    const body = scanBody(text, b.open);
    // Every expression the scan found ends where the parser, reading it on its own, ends it.
    const ends = (x: HclBody): boolean =>
      x.attributes.every((a) => {
        const r = parseExpressionAt(text, a.exprStart);
        return !("error" in r) && r.value.end === a.exprEnd;
      }) && x.blocks.every((y) => ends(y.body));
    return body && ends(body) ? bodyShape(body) : undefined;
  });
}
function parsedBodies(text: string): unknown[] | undefined {
  const r = parseHclFile(text);
  if ("problem" in r || r.body.attributes.length > 0) return undefined;
  return r.body.blocks.map((b) => bodyShape(b.body));
}

const TRICKY: [string, string][] = [
  ["braces in strings and comments", 'a "x" {\n  s = "}{"\n  # }\n  // {\n  /* } */ t = 1\n}\nb {\n}\n'],
  ["interpolations with braces, strings and objects", 'a {\n  s = "${ {k = "}"}["k"] }-${var.x}"\n}\nb "l" {\n}\n'],
  ["escaped sequences", 'a {\n  s = "$${not} %%{not} \\" }"\n}\nb {\n}\n'],
  ["directives", 'a {\n  s = "%{ if x }}%{ endif }%{ for v in y }${v}%{ endfor }"\n}\nb {\n}\n'],
  [
    "heredoc with braces and an indented marker",
    'a {\n  p = <<-EOT\n    { "k": "}" }\n    ${jsonencode({a = "}"})}\n    EOT\n}\nb {\n}\n',
  ],
  ["heredoc whose marker text appears inside a line", "a {\n  p = <<EOF\nnot EOF\nEOF x\n}\nEOF\n}\nb {\n}\n"],
  ["heredoc interpolation across lines", 'a {\n  p = <<EOF\n${merge(\n  {x = "}"},\n)}\nEOF\n}\nb {\n}\n'],
  ["CRLF line ends", 'a "x" {\r\n  s = "v"\r\n  p = <<EOF\r\n}\r\nEOF\r\n}\r\nb {\r\n}\r\n'],
  ["one-line blocks, ident labels, comments after", "a x y { v = 1 } # c\nb { } // c\nc {\n} /* c */\n"],
  ["nested blocks and tuples", "a {\n  b {\n    c = [1, (2), {d = [3]}]\n  }\n}\n"],
  ["byte order mark", "\ufeffa {\n}\n"],
  ["division and comparisons", "a {\n  x = 4 / 2 < 3\n  y = 1 </* c */ 2\n}\nb {\n}\n"],
];

describe("terraform: the top-level block scan", () => {
  for (const [what, text] of TRICKY) {
    it(`finds the blocks the parser finds: ${what}`, () => {
      expect(parsed(text)).toBeDefined();
      expect(scanned(text)).toEqual(parsed(text));
    });
  }

  for (const [what, text] of TRICKY) {
    it(`finds the arguments and blocks the parser finds in each body, or leaves the body to it: ${what}`, () => {
      const full = parsedBodies(text);
      const scan = scannedBodies(text);
      expect(scan?.length).toBe(full?.length);
      scan?.forEach((b, i) => {
        if (b !== undefined) expect(b).toEqual(full?.[i]);
      });
    });
  }

  it("scans every body of the tricky shapes but one-line blocks and a block comment after an expression", () => {
    const refusedBodies = TRICKY.flatMap(([what, text]) =>
      (scannedBodies(text) ?? []).flatMap((b, i) => (b === undefined ? [`${what} #${String(i)}`] : [])),
    );
    expect(refusedBodies).toEqual(["one-line blocks, ident labels, comments after #0", "division and comparisons #0"]);
  });

  it("finds the blocks the parser finds in every .tf file of fixtures/", () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true }))
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith(".tf")) files.push(join(dir, e.name));
    };
    walk("fixtures");
    expect(files.length).toBeGreaterThan(50);
    let compared = 0;
    let bodyCount = 0;
    let scannedBodyCount = 0;
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      const full = parsed(text);
      const scan = scanned(text);
      if (full === undefined) continue;
      expect({ f, scan }).toEqual({ f, scan: full });
      // Every body the scan reads is the parser's; it reads nearly all of them.
      const bodies = scannedBodies(text) ?? [];
      const fullBodies = parsedBodies(text) ?? [];
      bodies.forEach((b, i) => {
        if (b !== undefined) expect({ f, i, b }).toEqual({ f, i, b: fullBodies[i] });
      });
      scannedBodyCount += bodies.filter((b) => b !== undefined).length;
      bodyCount += bodies.length;
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
    expect(scannedBodyCount).toBeGreaterThan(bodyCount * 0.95);
  });

  const refused: [string, string][] = [
    ["an unclosed block", "a {\n  x = 1\n"],
    ["an unclosed string", 'a {\n  x = "v\n}\n'],
    ["an unclosed heredoc", "a {\n  x = <<EOF\nv\n}\n"],
    ["a heredoc marker without a newline after it", "a {\n  x = <<EOF\nv\nEOF"],
    ["an unclosed comment", "a {\n  /* x = 1\n}\n"],
    ["a mismatched bracket", "a {\n  x = [1)\n}\n"],
    ["an unclosed interpolation", 'a {\n  x = "${v"\n}\n'],
    ["a top-level argument", "x = 1\na {\n}\n"],
    ["a label with a template sequence", 'a "${x}" {\n}\n'],
    ["something after a block on its line", "a {\n} b {\n}\n"],
    ["a lone carriage return between blocks", "a {\n}\r b {\n}\n"],
    ["a non-ASCII name", "résumé {\n}\n"],
    ["nesting past the limit", `a {\n  x = ${"[".repeat(100)}${"]".repeat(100)}\n}\n`],
  ];
  for (const [what, text] of refused) {
    it(`refuses ${what} (the file is then parsed whole)`, () => {
      expect(scanTopLevel(text)).toBeUndefined();
      // Whatever it keeps: a block left out is checked as much as one kept.
      expect(scanTopLevel(text, () => false)).toBeUndefined();
    });
  }

  it("keeps the blocks asked for, as the whole scan finds them, the others checked but left out", () => {
    const text = `resource "aws_s3_bucket" "b" {\n  x = "}"\n}\nresource aws_iam_role "r" {\n}\nlocals {\n}\noutput "o" {\n  v = [1]\n}\nmodule m {\n}\n`;
    const wanted = (type: string, label: string | undefined): boolean =>
      type === "locals" || type === "module" || (label?.startsWith("aws_iam_") ?? false);
    const all = scanTopLevel(text);
    expect(all?.map((b) => b.type)).toEqual(["resource", "resource", "locals", "output", "module"]);
    expect(scanTopLevel(text, wanted)).toEqual(all?.filter((b) => wanted(b.type, b.labels[0]?.value)));
    expect(scanTopLevel(text, () => false)).toEqual([]);
    expect(scanTopLevel(text.replace("output", "output {"), wanted)).toBeUndefined();
  });
});

const ROLE = `resource "aws_iam_role" "deploy" {
  name = var.name
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:*" } }
    }]
  })
}
`;
const VARIABLE = `variable "name" {\n  default = "deploy"\n}\n`;
/** A grammar error: an operator with nothing after it. */
const BUCKET = `resource "aws_s3_bucket" "b" {\n  bucket = "logs-" +\n}\n`;

const problems = (out: ParsedFile[]): string[] =>
  out.flatMap((f) => f.problems.map((p) => `${p.loc.file}:${p.loc.line}:${p.loc.column} ${p.message}`));
const roles = (out: ParsedFile[]): string[] =>
  out.flatMap((f) =>
    f.policies.map(
      (d) => `${d.loc.file}:${d.loc.line} ${d.role?.id ?? ""} ${d.role?.name ? displayText(d.role.name) : ""}`,
    ),
  );

describe("terraform: syntax errors and the blocks oidclint reads", () => {
  it("reads the role of a file whose only syntax error is inside a block no rule reads", async () => {
    const out = await parse({ "main.tf": `${BUCKET}${ROLE}`, "variables.tf": VARIABLE });
    expect(problems(out)).toEqual([]);
    expect(roles(out)).toEqual(["main.tf:6 aws_iam_role.deploy deploy"]);
  });

  it("reports the error, at its place, when it is inside a block the evaluation reads", async () => {
    const broken = ROLE.replace('Effect    = "Allow"', 'Effect    = "Allow" +');
    const out = await parse({ "main.tf": broken, "variables.tf": VARIABLE });
    expect(problems(out)).toEqual(["main.tf:5:28 Terraform syntax error: Invalid expression"]);
    expect(roles(out)).toEqual([]);
  });

  it("reports an error in a variable the role reads, not in one nobody reads", async () => {
    const bad = (name: string): string => `variable "${name}" {\n  default = "deploy" +\n}\n`;
    const read = await parse({ "main.tf": ROLE, "variables.tf": bad("name") });
    expect(problems(read)).toEqual(["variables.tf:2:23 Terraform syntax error: Invalid expression"]);
    // The broken file is not read at all (as before): the name is unknown.
    expect(roles(read)).toEqual(["main.tf:3 aws_iam_role.deploy ${var.name}"]);
    const unread = await parse({ "main.tf": ROLE, "variables.tf": `${VARIABLE}${bad("other")}` });
    expect(problems(unread)).toEqual([]);
    expect(roles(unread)).toEqual(["main.tf:3 aws_iam_role.deploy deploy"]);
  });

  it("reports an error in the type of a variable the role reads only when the type declares optional() defaults", async () => {
    const typed = (type: string): string => `variable "name" {\n  type    = ${type}\n  default = "deploy"\n}\n`;
    // No optional() attribute: the type gives the value nothing, and is not read.
    const plain = await parse({ "main.tf": ROLE, "variables.tf": typed("string +") });
    expect(problems(plain)).toEqual([]);
    expect(roles(plain)).toEqual(["main.tf:3 aws_iam_role.deploy deploy"]);
    const optional = await parse({
      "main.tf": ROLE,
      "variables.tf": typed('object({ a = optional(string, "x") }) +'),
    });
    expect(problems(optional)).toEqual(["variables.tf:2:52 Terraform syntax error: Invalid expression"]);
    expect(roles(optional)).toEqual(["main.tf:3 aws_iam_role.deploy ${var.name}"]);
  });

  it("reports an error in a permission policy that is evaluated, not in one that cannot matter", async () => {
    const policy = (statement: string): string =>
      `resource "aws_iam_role_policy" "p" {\n  role = "deploy"\n  policy = jsonencode({\n    Statement = [${statement}]\n  })\n}\n`;
    // A quiet permission policy (no principal, no effect: never evaluated) is not parsed either.
    const quiet = await parse({
      "main.tf": ROLE,
      "variables.tf": VARIABLE,
      "policy.tf": policy('{ Effect = "Allow", Action = "s3:" + }'),
    });
    expect(problems(quiet)).toEqual([]);
    expect(roles(quiet)).toEqual(["main.tf:3 aws_iam_role.deploy deploy"]);
    // One that names a principal is evaluated: its error is reported.
    const read = await parse({
      "main.tf": ROLE,
      "variables.tf": VARIABLE,
      "policy.tf": policy('{ Effect = "Allow", Principal = "*", Action = "s3:" + }'),
    });
    expect(problems(read)).toEqual(["policy.tf:4:72 Terraform syntax error: Invalid expression"]);
    // Written other than `jsonencode({ … })` with blanks around the object, it is parsed (and its error reported).
    const commented = await parse({
      "main.tf": ROLE,
      "variables.tf": VARIABLE,
      "policy.tf": policy('{ Effect = "Allow", Action = "s3:" + }').replace("jsonencode({", "jsonencode( # why\n{"),
    });
    expect(problems(commented)).toHaveLength(1);
  });

  it("reports an error in a local the role reads, not in one nobody reads", async () => {
    const locals = (body: string): string => `${VARIABLE}locals {\n${body}}\n`;
    const read = await parse({
      "main.tf": ROLE.replace("name = var.name", "name = local.name"),
      "variables.tf": locals("  name = var.name +\n"),
    });
    expect(problems(read)).toEqual(["variables.tf:5:20 Terraform syntax error: Invalid expression"]);
    const unread = await parse({ "main.tf": ROLE, "variables.tf": locals("  unused = 1 +\n") });
    expect(problems(unread)).toEqual([]);
    expect(roles(unread)).toEqual(["main.tf:3 aws_iam_role.deploy deploy"]);
  });

  it("reports an error in a role's expression it reads, not in its tags", async () => {
    const tagged = (tags: string): string => ROLE.replace("name = var.name", `name = var.name\n  tags = ${tags}`);
    const unread = await parse({ "main.tf": tagged('{ team = "a" + }'), "variables.tf": VARIABLE });
    expect(problems(unread)).toEqual([]);
    expect(roles(unread)).toEqual(["main.tf:4 aws_iam_role.deploy deploy"]);
    const named = await parse({
      "main.tf": ROLE.replace("name = var.name", "name = var.name +"),
      "variables.tf": VARIABLE,
    });
    expect(problems(named)).toEqual(["main.tf:2:20 Terraform syntax error: Invalid expression"]);
    expect(roles(named)).toEqual([]);
  });

  it("reports an error that breaks the file's structure wherever it is (an unclosed string in an unread block)", async () => {
    const out = await parse({
      "main.tf": `resource "aws_s3_bucket" "b" {\n  bucket = "logs\n}\n${ROLE}`,
      "variables.tf": VARIABLE,
    });
    expect(problems(out)).toEqual(["main.tf:2:17 Terraform syntax error: Invalid multi-line string"]);
    expect(roles(out)).toEqual([]);
  });

  it("bounds the evaluations started again: past four files with an error in a block reached late, every file is parsed whole", async () => {
    const brokenVariable = `variable "name" {\n  default = "deploy" +\n}\n`;
    const files = (dirs: number): Record<string, string> => {
      const out: Record<string, string> = { "quiet/main.tf": `${BUCKET}${ROLE}`, "quiet/variables.tf": VARIABLE };
      for (let i = 0; i < dirs; i++) {
        out[`m${i}/main.tf`] = ROLE;
        out[`m${i}/variables.tf`] = brokenVariable;
      }
      return out;
    };
    const few = problems(await parse(files(4)));
    expect(few).toHaveLength(4);
    expect(few.every((p) => /^m\d\/variables\.tf:2:23 Terraform syntax error: Invalid expression$/.test(p))).toBe(true);
    // A fifth restart is one too many: the bucket's error, in a block no rule reads, is then reported too.
    const many = problems(await parse(files(5)));
    expect(many).toHaveLength(6);
    expect(many).toContain("quiet/main.tf:2:21 Terraform syntax error: Invalid expression");
  });
});

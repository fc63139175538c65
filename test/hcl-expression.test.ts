import { describe, expect, it } from "vitest";
import { attributeExpression, parseHclFile } from "../src/parsers/terraform/hcl-body.js";
import {
  parseExpression,
  parseExpressionAt,
  parseTemplate,
  textOffset,
  type HclExpr,
  type TemplatePart,
  type TraversalStep,
} from "../src/parsers/terraform/hcl-expression.js";

/** A compact, fully parenthesised rendering of an expression tree. */
function show(n: HclExpr): string {
  const steps = (s: TraversalStep[]): string =>
    s.map((x) => (x.kind === "attr" ? `.${x.name}` : `[${show(x.key)}]`)).join("");
  switch (n.type) {
    case "literal":
      return JSON.stringify(n.value);
    case "variable":
      return n.name;
    case "template":
      return `${n.heredoc ? "H" : ""}\`${showParts(n.parts)}\``;
    case "wrap":
      return `wrap(${show(n.expr)})`;
    case "tuple":
      return `[${n.items.map(show).join(", ")}]`;
    case "object":
      return `{${n.items.map((i) => `${show(i.key)}=${show(i.value)}`).join(", ")}}`;
    case "traversal":
      return show(n.source) + steps(n.steps);
    case "splat":
      return `${show(n.source)}${n.full ? "[*]" : ".*"}<${steps(n.steps)}>`;
    case "call":
      return `${n.name}(${n.args.map(show).join(", ")}${n.expandFinal ? "..." : ""})`;
    case "for":
      return `for(${n.keyVar ?? ""},${n.valueVar} in ${show(n.collection)}: ${n.key ? `${show(n.key)} => ` : ""}${show(n.value)}${n.grouped ? "..." : ""}${n.condition ? ` if ${show(n.condition)}` : ""})${n.object ? "{}" : "[]"}`;
    case "conditional":
      return `(${show(n.condition)} ? ${show(n.whenTrue)} : ${show(n.whenFalse)})`;
    case "binary":
      return `(${show(n.left)} ${n.operator} ${show(n.right)})`;
    case "unary":
      return `(${n.operator}${show(n.operand)})`;
    case "parens":
      return `(${show(n.expr)})`;
  }
}

function showParts(parts: TemplatePart[]): string {
  return parts
    .map((p) => {
      switch (p.kind) {
        case "text":
          return p.value;
        case "interpolation":
          return `\${${show(p.expr)}}`;
        case "if":
          return `%{if ${show(p.condition)}}${showParts(p.then)}${p.else ? `%{else}${showParts(p.else)}` : ""}%{endif}`;
        case "for":
          return `%{for ${p.keyVar ? `${p.keyVar}, ` : ""}${p.valueVar} in ${show(p.collection)}}${showParts(p.body)}%{endfor}`;
      }
    })
    .join("");
}

function parse(text: string): string {
  const r = parseExpression(text);
  if ("error" in r) return `error: ${r.error.message} @${r.error.start}`;
  return show(r.value);
}

function expr(text: string): HclExpr {
  const r = parseExpression(text);
  if ("error" in r) throw new Error(r.error.message);
  return r.value;
}

describe("hcl expressions: operators", () => {
  it("follows HCL precedence: unary, * / %, + -, comparisons, equality, &&, ||, then ?:", () => {
    expect(parse("-1 + 2 * 3 == 7 && !x")).toBe("((((-1) + (2 * 3)) == 7) && (!x))");
    expect(parse("a || b && c")).toBe("(a || (b && c))");
    expect(parse("a && b || c")).toBe("((a && b) || c)");
    expect(parse("a < b + c")).toBe("(a < (b + c))");
    expect(parse("a == b < c")).toBe("(a == (b < c))");
    expect(parse("!a == b")).toBe("((!a) == b)");
    expect(parse("-a.b")).toBe("(-a.b)");
    expect(parse("1 - -2")).toBe("(1 - (-2))");
    expect(parse("x % 2 * 3 / 4")).toBe("(((x % 2) * 3) / 4)");
  });

  it("is left-associative within a level and right-associative for conditionals", () => {
    expect(parse("x / y * z")).toBe("((x / y) * z)");
    expect(parse("a - b - c")).toBe("((a - b) - c)");
    expect(parse("a ? b : c ? d : e")).toBe("(a ? b : (c ? d : e))");
    expect(parse("a == b ? x + 1 : y")).toBe("((a == b) ? (x + 1) : y)");
    expect(parse("(a ? b : c).d")).toBe("((a ? b : c)).d");
  });

  it("keeps every node's source span", () => {
    const e = expr("foo(a, b) + 12");
    expect([e.start, e.end]).toEqual([0, 14]);
    if (e.type !== "binary") throw new Error(e.type);
    expect([e.left.start, e.left.end, e.right.start, e.right.end]).toEqual([0, 9, 12, 14]);
  });
});

describe("hcl expressions: terms", () => {
  it("reads literals, tuples, objects with = and : and all key forms", () => {
    expect(parse("null")).toBe("null");
    expect(parse("1.5e3")).toBe("1500");
    expect(parse('[1, true, "a",]')).toBe("[1, true, `a`]");
    expect(parse('{ a = 1, "b" = 2, (k) : 3, c: 4 }')).toBe("{a=1, `b`=2, (k)=3, c=4}");
    expect(parse("{\n  a = 1\n  b = [\n    2,\n  ]\n}")).toBe("{a=1, b=[2]}");
  });

  it("reads a key that is a bare name as the expression it starts (name, literal, reference, call or operation)", () => {
    expect(parse("{ true = 1, null: 2, a-b = 3, x\t: 4, \u00e9t\u00e9 = 5 }")).toBe(
      "{true=1, null=2, a-b=3, x=4, \u00e9t\u00e9=5}",
    );
    expect(parse("{ a.b = 1, f(x) = 2, a == b : 3, c ? d : e = 4 }")).toBe(
      "{a.b=1, f(x)=2, (a == b)=3, (c ? d : e)=4}",
    );
    expect(parse("{ a /* c */ = 1 }")).toBe("{a=1}");
    const e = parseExpression("{ key = 1 }");
    if ("error" in e || e.value.type !== "object") throw new Error("not an object");
    expect(e.value.items[0]?.key).toEqual({ type: "variable", name: "key", start: 2, end: 5 });
    expect("error" in parseExpression("{ a:: b = 1 }")).toBe(true);
  });

  it("reads references: attributes, indexes, legacy .0 indexes and both splats", () => {
    expect(parse('a.b[0].c["d"]')).toBe("a.b[0].c[`d`]");
    expect(parse("a.0.b")).toBe("a[0].b");
    expect(parse("f(x)[1].y")).toBe("f(x)[1].y");
    expect(parse("var.list[*].id[0]")).toBe("var.list[*]<.id[0]>");
    expect(parse("var.list.*.id[0]")).toBe("var.list.*<.id>[0]");
    expect(parse("data.x.y[var.i].z")).toBe("data.x.y[var.i].z");
  });

  it("reads a reference that ends the expression as one followed by an operator (the general rules)", () => {
    const refs = [
      "var.x",
      "data.aws_iam_policy_document.doc-1.json",
      "a.b_c.d",
      "local.\u00e9.x",
      "true.x",
      "a.b.0",
      "a. b",
      "a .b",
    ];
    for (const ref of refs) {
      const alone = parseExpressionAt(ref, 0);
      const inSum = parseExpressionAt(`${ref} + 1`, 0);
      if ("error" in alone || "error" in inSum || inSum.value.type !== "binary") throw new Error(ref);
      expect(alone.value).toEqual(inSum.value.left);
      expect(alone.end).toBe(ref.length);
    }
    // Ended by what follows: an item, an argument, a key, an interpolation, a conditional's branch, a line end.
    expect(parse('[var.a, f(local.b), { k = data.x.y }, "${var.c}-x", c ? a.b : d.e]')).toBe(
      "[var.a, f(local.b), {k=data.x.y}, `${var.c}-x`, (c ? a.b : d.e)]",
    );
    expect(parse("{ (a.b) = 1, a.b = 2 }")).toBe("{(a.b)=1, a.b=2}");
    expect(parse("a.b # note")).toBe("a.b");
    // Anything else after it is read by the general rules.
    expect(parse("a.b[0]")).toBe("a.b[0]");
    expect(parse("a.b.*.c")).toBe("a.b.*<.c>");
    expect(parse("a.b == c.d")).toBe("(a.b == c.d)");
    expect(parse("f(a.b...)")).toBe("f(a.b...)");
  });

  it("reads function calls, expanded final arguments and provider functions", () => {
    expect(parse('jsonencode({ Version = "2012-10-17" })')).toBe("jsonencode({Version=`2012-10-17`})");
    expect(parse("concat(a, b...)")).toBe("concat(a, b...)");
    expect(parse("f(\n  a,\n  b,\n)")).toBe("f(a, b)");
    expect(parse('provider::aws::arn_parse("x")')).toBe("provider::aws::arn_parse(`x`)");
  });

  it("reads for expressions: tuple and object forms, key variables, if clauses, grouping", () => {
    expect(parse('[for k, v in m : "${k}" if v]')).toBe("for(k,v in m: wrap(k) if v)[]");
    expect(parse("[for x in xs: upper(x)]")).toBe("for(,x in xs: upper(x))[]");
    expect(parse("{for k, v in m : k => v... if v != null}")).toBe("for(k,v in m: k => v... if (v != null)){}");
    expect(parse('{ for s in var.subjects : s => "repo:${s}" }')).toBe("for(,s in var.subjects: s => `repo:${s}`){}");
    expect(parse("[\n  for x in y :\n  x\n]")).toBe("for(,x in y: x)[]");
  });
});

describe("hcl expressions: templates", () => {
  it("decodes escapes and keeps where each decoded character came from", () => {
    const e = expr('"a\\nb\\u00e9$${x}%%{y}"');
    if (e.type !== "template") throw new Error(e.type);
    const [part] = e.parts;
    if (part?.kind !== "text") throw new Error("text expected");
    expect(part.value).toBe("a\nbé${x}%{y}");
    expect(textOffset(part, 1)).toBe(2); // the "\n" escape starts at source offset 2
    expect(textOffset(part, 3)).toBe(5); // "é" is "\u00e9" at offset 5
    expect(textOffset(part, 4)).toBe(11); // "$" of "$${"
  });

  it("interpolates, unwraps a lone interpolation, nests quotes inside interpolations", () => {
    expect(parse('"repo:${var.org}/*"')).toBe("`repo:${var.org}/*`");
    expect(parse('"${x}"')).toBe("wrap(x)");
    expect(parse('"${x}${y}"')).toBe("`${x}${y}`");
    expect(parse('"é ${"nested ${"deep"}"}"')).toBe("`é ${`nested ${`deep`}`}`");
    expect(parse('"${ {a = "}"}.a }"')).toBe("wrap({a=`}`}.a)");
  });

  it("reads if/for directives and strip markers", () => {
    expect(parse('"%{ if x }on%{ else }off%{ endif }"')).toBe("`%{if x}on%{else}off%{endif}`");
    expect(parse('"%{for k, v in m}${k}=${v},%{endfor}"')).toBe("`%{for k, v in m}${k}=${v},%{endfor}`");
    expect(parse('"hello ${~ "world" }"')).toBe("`hello${`world`}`");
    expect(parse('"%{ if true ~}  hello  %{~ endif }"')).toBe("`%{if true}hello%{endif}`");
  });

  it("reads heredocs; <<- removes the common indentation and keeps source offsets", () => {
    expect(parse("<<EOF\na ${b}\nEOF\n")).toBe("H`a ${b}\n`");
    const text = '<<-EOT\n    {\n      "a": 1\n    }\n    EOT\n';
    const e = expr(text);
    if (e.type !== "template") throw new Error(e.type);
    const [part] = e.parts;
    if (part?.kind !== "text") throw new Error("text expected");
    expect(part.value).toBe('{\n  "a": 1\n}\n');
    // The `"a"` of the second line is at its place in the file.
    const i = part.value.indexOf('"a"');
    expect(text.slice(textOffset(part, i), textOffset(part, i) + 3)).toBe('"a"');
    expect([e.start, e.end]).toEqual([0, text.length - 1]);
  });

  it("parses bare templates (template files) where quotes are plain text", () => {
    const r = parseTemplate('{"sub": "repo:${org}/${repo}:*"}\n');
    if ("error" in r) throw new Error(r.error.message);
    expect(showParts(r.value)).toBe('{"sub": "repo:${org}/${repo}:*"}\n');
    expect(r.value.map((p) => p.kind)).toEqual(["text", "interpolation", "text", "interpolation", "text"]);
  });
});

describe("hcl expressions: errors come back located, never thrown", () => {
  const cases: [string, string, number][] = [
    ['"abc', "Unterminated template string", 0],
    ['"a\nb"', "Unterminated template string", 0],
    ["[1, 2", 'Missing "," or "]"', 5],
    ["f(a,", "Missing expression", 4],
    ["a.", "Invalid attribute name", 2],
    ["{ a = }", "Invalid expression", 6],
    ["{ a = 1 b = 2 }", 'Missing "," or a newline', 8],
    ['"\\q"', "Invalid escape sequence", 1],
    ["<<EOF\nabc\n", "Unterminated heredoc", 6],
    ['"%{ if x }a"', "Missing %{ endif }", 11],
    ['"%{ endif }"', "Unexpected %{ endif }", 1],
    ["a ? b", "Missing false expression", 5],
    ["(a", "Unbalanced parentheses", 2],
    ["1.2.3", "Invalid number literal", 0],
    ["a b", "Extra characters", 2],
  ];
  for (const [text, message, at] of cases) {
    it(`${JSON.stringify(text)} → ${message} at ${at}`, () => {
      const r = parseExpression(text);
      expect("error" in r && r.error.message).toContain(message);
      expect("error" in r && r.error.start).toBe(at);
    });
  }

  it("bounds nesting instead of overflowing the stack", () => {
    const r = parseExpression(`${"(".repeat(5000)}1${")".repeat(5000)}`);
    expect("error" in r && r.error.message).toMatch(/nested too deeply/);
  });
});

describe("hcl files: structure", () => {
  it("checks each attribute's expression, keeps its exact span, and parses it again from there", () => {
    const text =
      'resource "aws_iam_role" "x" {\n  name = "deploy" # comment\n  tags = { a = 1 }\n  lifecycle { ignore_changes = [tags] }\n  empty {}\n}\n';
    const r = parseHclFile(text);
    if (!("body" in r)) throw new Error(r.problem.message);
    const [block] = r.body.blocks;
    expect(block?.labels.map((l) => l.value)).toEqual(["aws_iam_role", "x"]);
    const [name, tags] = block?.body.attributes ?? [];
    expect(name && text.slice(name.exprStart, name.exprEnd)).toBe('"deploy"');
    expect(name?.checked).toBe(true);
    expect(name && attributeExpression(text, name.exprStart).type).toBe("template");
    expect(tags && show(attributeExpression(text, tags.exprStart))).toBe("{a=1}");
    expect(tags && attributeExpression(text, tags.exprStart).end).toBe(tags?.exprEnd);
    expect(block?.body.blocks.map((b) => [b.type, b.body.attributes.map((a) => a.name)])).toEqual([
      ["lifecycle", ["ignore_changes"]],
      ["empty", []],
    ]);
  });

  // Broken files the lenient scanner would have skipped over: each must be a located problem.
  const broken: [string, string, string, number][] = [
    ["unclosed block", 'resource "a" "b" {\n  x = 1\n', "Unclosed configuration block", 17],
    ["unclosed string", 'resource "a" "b" {\n  x = "abc\n}\n', "Unterminated template string", 25],
    ["bad attribute syntax", 'resource "a" "b" {\n  x = = 1\n}\n', "Invalid expression", 25],
    ["stray closing brace", "x = 1\n}\ny = 2\n", 'Unexpected "}"', 6],
    ["attribute without value", "locals {\n  x =\n}\n", "Missing expression", 14],
    ["two attributes on one line", "locals {\n  x = 1 y = 2\n}\n", "Missing newline after argument", 17],
    ["unclosed heredoc", "locals {\n  x = <<EOF\nabc\n}\n", "Unterminated heredoc", 21],
    [
      "unbalanced bracket inside a skipped-looking block",
      'resource "aws_s3_bucket" "b" {\n  tags = { a = [1, 2 }\n}\n',
      'Missing "," or "]"',
      52,
    ],
    ["block label without brace", 'resource "a" "b"\nx = 1\n', 'expected "{"', 16],
  ];
  for (const [what, text, message, at] of broken) {
    it(`reports ${what}`, () => {
      const r = parseHclFile(text);
      expect("problem" in r && r.problem.message).toContain(message);
      expect("problem" in r && r.problem.start).toBe(at);
    });
  }
});

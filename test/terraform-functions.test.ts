/**
 * Terraform's built-in functions, checked against the examples of Terraform's function reference
 * (developer.hashicorp.com/terraform/language/functions/<name>), plus its null/unknown/error semantics.
 * `<unknown>` is a value oidclint cannot know; `<error>` one Terraform would refuse (skipped by `try`).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import { LineIndex } from "../src/model/location.js";
import { knownText } from "../src/model/value.js";
import { evaluate } from "../src/parsers/terraform/evaluate.js";
import { loadRegexEngine } from "../src/parsers/terraform/regex.js";
import { parseHclFile } from "../src/parsers/terraform/hcl-body.js";
import { addToModule, blocksOfHcl, newModule } from "../src/parsers/terraform/module.js";
import type { TreeNode } from "../src/parsers/tree.js";

function show(n: TreeNode): unknown {
  switch (n.kind) {
    case "unknown":
      return n.reason === "error" ? "<error>" : "<unknown>";
    case "string":
      return knownText(n.value) ?? "<unknown>";
    case "scalar":
      return n.value;
    case "array":
      return n.items.map(show);
    case "object":
      return Object.fromEntries(n.entries.map((e) => [e.key.value, show(e.value)]));
  }
}

// Evaluation is synchronous: the regular expression engine is loaded first, as `parseTerraform` does.
beforeAll(loadRegexEngine);

/** Evaluates `expr` in a module with a few values to refer to. */
function value(expr: string): unknown {
  const text = `variable "unset" {}\nvariable "nothing" {\n  default = null\n}\nlocals {\n  m = { a = "x" }\n  l = ["a"]\n  tpl = "repo:$\${name}/app:*"\n  v = ${expr}\n}\n`;
  const parsed = parseHclFile(text);
  if (!("body" in parsed)) throw new Error(parsed.problem.message);
  const file = { src: { path: "main.tf", abs: "/r/main.tf", text }, index: new LineIndex("main.tf", text) };
  const mod = newModule(".", { root: "/r", settings: defaultSettings(), readFile: () => undefined });
  addToModule(mod, blocksOfHcl(file, parsed.body));
  const attr = mod.locals.get("v");
  if (!attr) throw new Error("no local v");
  return show(evaluate(attr.expr, { module: mod, names: new Map(), depth: 0 }));
}

const EXAMPLES: [string, unknown][] = [
  // Numeric
  ["abs(23)", 23],
  ["abs(0)", 0],
  ["abs(-12.4)", 12.4],
  ["ceil(5)", 5],
  ["ceil(5.1)", 6],
  ["floor(4.9)", 4],
  ["log(16, 2)", 4],
  ["max(12, 54, 3)", 54],
  ["max([12, 54, 3]...)", 54],
  ["min(12, 54, 3)", 3],
  ['parseint("100", 10)', 100],
  ['parseint("FF", 16)', 255],
  ['parseint("-10", 16)', -16],
  ['parseint("1011111011101111", 2)', 48879],
  ['parseint("aA", 62)', 656],
  ['parseint("12", 2)', "<error>"],
  ["pow(3, 2)", 9],
  ["pow(4, 0)", 1],
  ["signum(-13)", -1],
  ["signum(0)", 0],
  ["signum(344)", 1],
  // String
  ['chomp("hello\\n")', "hello"],
  ['chomp("hello\\r\\n")', "hello"],
  ['chomp("hello\\n\\n")', "hello"],
  ['endswith("hello world", "world")', true],
  ['endswith("hello world", "hello")', false],
  ['format("Hello, %s!", "Ander")', "Hello, Ander!"],
  ['format("There are %d lights", 4)', "There are 4 lights"],
  ['format("%-5s|%5s|%05d", "a", "b", 42)', "a    |    b|00042"],
  [
    'formatlist("Hello, %s!", ["Valentina", "Ander", "Olivia", "Sam"])',
    ["Hello, Valentina!", "Hello, Ander!", "Hello, Olivia!", "Hello, Sam!"],
  ],
  ['formatlist("%s, %s!", "Salutations", ["Valentina", "Ander"])', ["Salutations, Valentina!", "Salutations, Ander!"]],
  ['indent(2, "[\\n  foo,\\n  bar,\\n]")', "[\n    foo,\n    bar,\n  ]"],
  ['join(", ", ["foo", "bar", "baz"])', "foo, bar, baz"],
  ['join(", ", ["foo"])', "foo"],
  ['lower("HELLO")', "hello"],
  ['lower("АЛЛО!")', "алло!"],
  ['regex("[a-z]+", "53453453.345345aaabbbccc23454")', "aaabbbccc"],
  ['regex("(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)-(\\\\d\\\\d)", "2019-02-01")', ["2019", "02", "01"]],
  [
    'regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/")',
    { scheme: "https", authority: "terraform.io" },
  ],
  ['regex("[a-z]+", "53453453.34534523454")', "<error>"],
  ['regexall("[a-z]+", "1234abcd5678efgh9")', ["abcd", "efgh"]],
  ['length(regexall("[a-z]+", "1234abcd5678efgh9"))', 2],
  ['length(regexall("[a-z]+", "123456789")) > 0', false],
  ['replace("1 + 2 + 3", "+", "-")', "1 - 2 - 3"],
  ['replace("hello world", "/w.*d/", "everybody")', "hello everybody"],
  ['replace("repo:acme/api:ref:refs/heads/main", "/^repo:(?P<org>[^/]+)/.*$/", "$${org}")', "acme"],
  ['split(",", "foo,bar,baz")', ["foo", "bar", "baz"]],
  ['split(",", "foo")', ["foo"]],
  ['split(",", "")', [""]],
  ['startswith("hello world", "hello")', true],
  ['strcontains("hello world", "wor")', true],
  ['strcontains("hello world", "wod")', false],
  ['strrev("hello")', "olleh"],
  ['strrev("a ☃")', "☃ a"],
  ['substr("hello world", 1, 4)', "ello"],
  ['substr("🤔🤷", 0, 1)', "🤔"],
  ['substr("hello world", -5, -1)', "world"],
  ['substr("hello world", 6, 10)', "world"],
  ['title("hello world")', "Hello World"],
  ['trim("?!hello?!", "!?")', "hello"],
  ['trim("foobar", "far")', "oob"],
  ['trim("   hello! world.!  ", "! ")', "hello! world."],
  ['trimprefix("helloworld", "hello")', "world"],
  ['trimprefix("helloworld", "cat")', "helloworld"],
  ['trimsuffix("helloworld", "world")', "hello"],
  ['trimspace("  hello\\n\\n")', "hello"],
  ['upper("hello")', "HELLO"],
  // Collection
  ['alltrue(["true", true])', true],
  ["alltrue([true, false])", false],
  ['anytrue(["true"])', true],
  ["anytrue([true, false])", true],
  ["anytrue([])", false],
  ['chunklist(["a", "b", "c", "d", "e"], 2)', [["a", "b"], ["c", "d"], ["e"]]],
  ['coalesce("a", "b")', "a"],
  ['coalesce("", "b")', "b"],
  ["coalesce(1, 2)", 1],
  ['coalescelist(["a", "b"], ["c", "d"])', ["a", "b"]],
  ['coalescelist([], ["c", "d"])', ["c", "d"]],
  ['compact(["a", "", "b", "c"])', ["a", "b", "c"]],
  ['concat(["a", ""], ["b", "c"])', ["a", "", "b", "c"]],
  ['contains(["a", "b", "c"], "a")', true],
  ['contains(["a", "b", "c"], "d")', false],
  ['distinct(["a", "b", "a", "c", "d", "b"])', ["a", "b", "c", "d"]],
  ['element(["a", "b", "c"], 1)', "b"],
  ['element(["a", "b", "c"], 3)', "a"],
  ['element(["a", "b", "c"], length(["a", "b", "c"]) - 1)', "c"],
  ['flatten([["a", "b"], [], ["c"]])', ["a", "b", "c"]],
  ['flatten([[["a", "b"], []], ["c"]])', ["a", "b", "c"]],
  ['index(["a", "b", "c"], "b")', 1],
  ["keys({ a = 1, c = 2, d = 3 })", ["a", "c", "d"]],
  ["length([])", 0],
  ['length(["a", "b"])', 2],
  ['length({ "a" = "b" })', 1],
  ['length("hello")', 5],
  ['length("👾🕹️")', 2],
  ['lookup({ a = "ay", b = "bee" }, "a", "what?")', "ay"],
  ['lookup({ a = "ay", b = "bee" }, "c", "what?")', "what?"],
  ['matchkeys(["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])', ["i-abc", "i-def"]],
  ['merge({ a = "b", c = "d" }, { e = "f", c = "z" })', { a: "b", c: "z", e: "f" }],
  ["one([])", null],
  ['one(["hello"])', "hello"],
  ['one(["hello", "goodbye"])', "<error>"],
  ["range(3)", [0, 1, 2]],
  ["range(1, 4)", [1, 2, 3]],
  ["range(1, 8, 2)", [1, 3, 5, 7]],
  ["range(1, 4, 0.5)", [1, 1.5, 2, 2.5, 3, 3.5]],
  ["range(4, 1)", [4, 3, 2]],
  ["range(10, 5, -2)", [10, 8, 6]],
  ["reverse([1, 2, 3])", [3, 2, 1]],
  ['setintersection(["a", "b"], ["b", "c"], ["b", "d"])', ["b"]],
  [
    'setproduct(["development", "staging"], ["app1", "app2"])',
    [
      ["development", "app1"],
      ["development", "app2"],
      ["staging", "app1"],
      ["staging", "app2"],
    ],
  ],
  ['setsubtract(["a", "b", "c"], ["a", "c"])', ["b"]],
  ['setunion(["a", "b"], ["b", "c"], ["d"])', ["a", "b", "c", "d"]],
  ['slice(["a", "b", "c", "d"], 1, 3)', ["b", "c"]],
  ['sort(["e", "d", "a", "x"])', ["a", "d", "e", "x"]],
  ["sum([10, 13, 6, 4.5])", 33.5],
  ['transpose({ "a" = ["1", "2"], "b" = ["2", "3"] })', { "1": ["a"], "2": ["a", "b"], "3": ["b"] }],
  ["values({ a = 3, c = 2, d = 1 })", [3, 2, 1]],
  ['zipmap(["a", "b"], [1, 2])', { a: 1, b: 2 }],
  // Encoding
  ['base64decode("SGVsbG8gV29ybGQ=")', "Hello World"],
  ['base64encode("Hello World")', "SGVsbG8gV29ybGQ="],
  [
    'csvdecode("a,b,c\\n1,2,3\\n4,5,6")',
    [
      { a: "1", b: "2", c: "3" },
      { a: "4", b: "5", c: "6" },
    ],
  ],
  ['jsondecode("{\\"hello\\": \\"world\\"}")', { hello: "world" }],
  ['jsondecode("true")', true],
  ['urlencode("Hello World!")', "Hello+World%21"],
  ['urlencode("☃")', "%E2%98%83"],
  ['urlencode("foo:bar@localhost?foo=bar&bar=baz")', "foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz"],
  ['yamldecode("hello: world")', { hello: "world" }],
  ['yamldecode("true")', true],
  // Paths and hashes
  ['basename("foo/bar/baz.txt")', "baz.txt"],
  ['dirname("foo/bar/baz.txt")', "foo/bar"],
  ['md5("hello world")', "5eb63bbbe01eeed093cb22bb8f5acdc3"],
  ['sha1("hello world")', "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"],
  ['sha256("hello world")', "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"],
  ['base64sha256("hello world")', "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="],
  // IP network
  ['cidrhost("10.12.112.0/20", 16)', "10.12.112.16"],
  ['cidrhost("10.12.112.0/20", 268)', "10.12.113.12"],
  ['cidrnetmask("172.16.0.0/12")', "255.240.0.0"],
  ['cidrsubnet("172.16.0.0/12", 4, 2)', "172.18.0.0/16"],
  ['cidrsubnet("10.1.2.0/24", 4, 15)', "10.1.2.240/28"],
  ['cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)', "fd00:fd12:3456:7800:a200::/72"],
  ['cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)', "fd00:fd12:3456:7890::22"],
  ['cidrhost("10.0.0.0/8", -2)', "10.255.255.254"],
  ['cidrnetmask("fd00::/64")', "<error>"],
  // Encoding (added)
  ['textencodebase64("Hello World", "UTF-16LE")', "SABlAGwAbABvACAAVwBvAHIAbABkAA=="],
  ['textdecodebase64("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")', "Hello World"],
  ['textencodebase64("Hello World", "UTF-8")', "SGVsbG8gV29ybGQ="],
  ['textencodebase64("Hello World", "x-unheard-of")', "<unknown>"],
  ['yamlencode({"a":"b", "c":"d"})', '"a": "b"\n"c": "d"\n'],
  ['yamlencode({"foo":[1, 2, 3], "bar": "baz"})', '"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n'],
  [
    'yamlencode({"foo":[1, {"a":"b","c":"d"}, 3], "bar": "baz"})',
    '"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n',
  ],
  // Compressed bytes are not UTF-8 text: Terraform refuses to decode them as a string.
  ['base64decode(base64gzip("test"))', "<error>"],
  // Date and time
  ['formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")', "02 Jan 2018 23:12 UTC"],
  ['formatdate("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z")', "Tuesday, 02-Jan-18 23:12:01 UTC"],
  ['formatdate("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00")', "Tue, 02 Jan 2018 23:12:01 -0800"],
  ['formatdate("MMM DD, YYYY", "2018-01-02T23:12:01Z")', "Jan 02, 2018"],
  ['formatdate("HH:mmaa", "2018-01-02T23:12:01Z")', "11:12pm"],
  ['formatdate("h\'h\'mm", "2018-01-02T23:12:01-08:00")', "23h12"],
  ["formatdate(\"H 'o''clock'\", \"2018-01-02T23:12:01-08:00\")", "11 o'clock"],
  ['formatdate("YYYY-MM-DD", "not a time")', "<error>"],
  ['formatdate("YYYY-QQ", "2018-01-02T23:12:01Z")', "<error>"],
  ['timeadd("2017-11-22T00:00:00Z", "10m")', "2017-11-22T00:10:00Z"],
  ['timeadd("2024-08-16T12:45:05Z", "-10m")', "2024-08-16T12:35:05Z"],
  ['timeadd("2017-11-22T00:00:00-08:00", "1h30m")', "2017-11-22T01:30:00-08:00"],
  ['timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z")', 0],
  ['timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z")', -1],
  ['timecmp("2017-11-22T01:00:00Z", "2017-11-22T00:00:00Z")', 1],
  ['timecmp("2017-11-22T01:00:00Z", "2017-11-22T00:00:00-01:00")', 0],
  ["plantimestamp()", "<unknown>"],
  ['formatdate("YYYY", timestamp())', "<unknown>"],
  // uuidv5
  ['uuidv5("dns", "www.terraform.io")', "a5008fae-b28c-5ba5-96cd-82b4c53552d6"],
  ['uuidv5("url", "https://www.terraform.io/")', "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"],
  ['uuidv5("oid", "1.3.6.1.4")', "af9d40a5-7a36-5c07-b23a-851cd99fbfa5"],
  ['uuidv5("x500", "CN=Example,C=GB")', "84e09961-4aa4-57f8-95b7-03edb1073253"],
  ['uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io")', "a5008fae-b28c-5ba5-96cd-82b4c53552d6"],
  // templatestring renders a string from elsewhere; a template written in the call is an error.
  ['templatestring(local.tpl, { name = "acme" })', "repo:acme/app:*"],
  ['templatestring("Hello ${name}", { name = "x" })', "<error>"],
  ["templatestring(var.unset, {})", "<unknown>"],
  // Type conversion
  ["tobool(true)", true],
  ['tobool("true")', true],
  ["tobool(null)", null],
  ['tobool("no")', "<error>"],
  ['tonumber("1")', 1],
  ["tonumber(null)", null],
  ['tonumber("no")', "<error>"],
  ["tostring(1)", "1"],
  ["tostring(true)", "true"],
  ["tostring(null)", null],
  ['toset(["c", "b", "b"])', ["b", "c"]],
];

describe("terraform functions: the examples of Terraform's function reference", () => {
  for (const [expr, expected] of EXAMPLES) {
    it(expr, () => {
      expect(value(expr)).toEqual(expected);
    });
  }
});

describe("terraform functions: base64gzip", () => {
  it("gzips with Go's header (no time, unknown OS) and decompresses to the text", async () => {
    const { gunzipSync } = await import("node:zlib");
    const v = value('base64gzip("arn:aws:iam::111122223333:role/deploy")');
    const bytes = Buffer.from(String(v), "base64");
    expect([bytes[0], bytes[1], bytes[4], bytes[9]]).toEqual([0x1f, 0x8b, 0, 255]);
    expect(gunzipSync(bytes).toString("utf8")).toBe("arn:aws:iam::111122223333:role/deploy");
  });
});

describe("terraform functions: sha256 and base64sha256 (hashed in WebAssembly) as node:crypto hashes the UTF-8", () => {
  const texts = [
    "",
    "repo:octo-org/deploy",
    "tf-role-s3-rplctn-é-日本-🚀",
    // A lone surrogate is hashed as U+FFFD, as node:crypto hashes a string.
    "a\ud800b",
    // Longer than the WebAssembly module's memory: hashed by node:crypto.
    "x".repeat(70_000),
  ];
  for (const text of texts) {
    it(`${JSON.stringify(text.slice(0, 30))} (${String(text.length)} characters)`, async () => {
      const { createHash } = await import("node:crypto");
      const literal = JSON.stringify(text).replace(/\$\{/g, "$$${");
      expect(value(`sha256(${literal})`)).toBe(createHash("sha256").update(text).digest("hex"));
      expect(value(`base64sha256(${literal})`)).toBe(createHash("sha256").update(text).digest("base64"));
    });
  }
});

describe("terraform functions: null, unknown and errors (issue 10 item 2)", () => {
  const cases: [string, unknown][] = [
    // try: the first argument without an error; an unknown is not an error, so the result is unknown.
    ['try(local.m.missing, "fallback")', "fallback"],
    ['try(local.m.a, "fallback")', "x"],
    ['try(local.l[3], "fallback")', "fallback"],
    ['try(var.unset, "fallback")', "<unknown>"],
    ['try(data.aws_caller_identity.current.account_id, "123456789012")', "<unknown>"],
    ["can(local.m.missing)", false],
    ["can(local.m.a)", true],
    ["can(var.unset)", "<unknown>"],
    // coalesce skips null and "", and is unknown when an argument before the chosen one is.
    ['coalesce(null, "", "b")', "b"],
    ['coalesce(var.unset, "b")', "<unknown>"],
    ['coalesce("a", var.unset)', "a"],
    // Interpolating null is an error, never the text "null".
    ['"arn:aws:iam::${var.nothing}:role/x"', "<error>"],
    ['"arn:aws:iam::${null}:role/x"', "<error>"],
    ['format("arn:aws:iam::%s:root", var.nothing)', "<error>"],
    ['join(":", ["a", null])', "<error>"],
    // Any function of an unknown is unknown; of an error, an error.
    ["upper(var.unset)", "<unknown>"],
    ["length(var.unset)", "<unknown>"],
    ['upper("${var.nothing}")', "<error>"],
    ['try(upper("${var.nothing}"), "ok")', "ok"],
    // A function oidclint does not evaluate (clock, randomness, provider) is unknown, not an error.
    ["timestamp()", "<unknown>"],
  ];
  for (const [expr, expected] of cases) {
    it(expr, () => {
      expect(value(expr)).toEqual(expected);
    });
  }
});

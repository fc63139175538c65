// Packaging check (run by .ci/run after the tests): `npm pack` this repository, install the tarball in an
// empty directory as a user would (`npm install ./oidclint-x.y.z.tgz`, production dependencies only), and
// run it there: `npx oidclint --version`, a lint with each exit code, SARIF output, the library import, and
// the shipped types. Prints one line per check; exits 1 on the first failure.
//   node scripts/check-package.mjs [--keep]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const root = join(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
/**
 * A directory with no `node_modules` above it: Node resolves imports upward, so one there (even a symlink
 * to this repository's, which holds the dev dependencies) would hide a missing runtime dependency.
 */
function isolatedTmp() {
  const hasAncestorModules = (dir) => {
    for (let cur = dir; ; cur = dirname(cur)) {
      if (existsSync(join(cur, "node_modules")) || existsSync(join(cur, "package.json"))) return true;
      if (dirname(cur) === cur) return false;
    }
  };
  const base = [process.env.OIDCLINT_PACK_TMP, tmpdir(), "/var/tmp"].find(
    (d) => d && existsSync(d) && !hasAncestorModules(d),
  );
  if (!base)
    throw new Error(`no temporary directory without a node_modules or package.json above it (set OIDCLINT_PACK_TMP)`);
  return mkdtempSync(join(base, "oidclint-pack-"));
}
const work = isolatedTmp();
const started = Date.now();
const npmEnv = {
  ...process.env,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

function step(name, fn) {
  const t = Date.now();
  try {
    fn();
  } catch (e) {
    console.error(`✖ ${name}\n${e.stdout ?? ""}${e.stderr ?? ""}${e.message}`);
    cleanup();
    process.exit(1);
  }
  console.log(`✔ ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

function cleanup() {
  if (!process.argv.includes("--keep")) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}

function oidclint(args, cwd = join(work, "app")) {
  return spawnSync("npx", ["--no-install", "oidclint", ...args], { cwd, encoding: "utf8", env: npmEnv });
}

let tarball = "";
let files = [];
step("npm pack (runs prepare: the build)", () => {
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: root,
    encoding: "utf8",
    env: npmEnv,
  });
  const [info] = JSON.parse(out);
  tarball = join(work, info.filename);
  files = info.files.map((f) => f.path);
  assert(existsSync(tarball), `no tarball at ${tarball}`);
  assert(info.filename === `oidclint-${pkg.version}.tgz`, `unexpected tarball name ${info.filename}`);
});

step(`tarball contents (${files.length} files)`, () => {
  const required = [
    "package.json",
    "bin/oidclint.js",
    "dist/src/cli.js",
    "dist/src/index.js",
    "dist/src/index.d.ts",
    "dist/rules/index.js",
    "dist/src/config/validate-config.js",
    "dist/cli/cli.js",
    "schema/oidclintrc.schema.json",
    ".pre-commit-hooks.yaml",
  ];
  for (const f of required) assert(files.includes(f), `missing from the tarball: ${f}`);
  const stray = files.filter(
    (f) =>
      /^(test|fixtures|scripts|src|\.bench|\.ci|node_modules)\//.test(f) ||
      /^dist\/(test|scripts)\//.test(f) ||
      f.endsWith(".tgz"),
  );
  assert(stray.length === 0, `should not be shipped: ${stray.join(", ")}`);
  assert(
    files.some((f) => /^rules\/[a-z-]+\.md$/.test(f)),
    "rule docs (rules/*.md) missing",
  );
});

step("npm install ./oidclint-x.y.z.tgz in an empty project", () => {
  const app = join(work, "app");
  mkdirSync(app);
  // Without a package.json here npm would install into the nearest ancestor that has one (or a node_modules).
  writeFileSync(
    join(app, "package.json"),
    `${JSON.stringify({ name: "oidclint-package-check", private: true, type: "module" }, null, 2)}\n`,
  );
  execFileSync("npm", ["install", "--no-package-lock", "--loglevel=error", tarball], {
    cwd: app,
    encoding: "utf8",
    env: npmEnv,
  });
  const installed = JSON.parse(readFileSync(join(app, "node_modules/oidclint/package.json"), "utf8"));
  assert(installed.version === pkg.version, `installed version ${installed.version}`);
  for (const dev of Object.keys(pkg.devDependencies ?? {})) {
    assert(!existsSync(join(app, "node_modules", dev)), `dev dependency installed: ${dev}`);
  }
});

step("npx oidclint --version prints package.json's version", () => {
  const r = oidclint(["--version"]);
  assert(r.status === 0, `exit ${r.status}: ${r.stderr}`);
  assert(r.stdout.trim() === pkg.version, `printed "${r.stdout.trim()}", expected ${pkg.version}`);
});

const trust = (sub) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            ...(sub ? { "token.actions.githubusercontent.com:sub": sub } : {}),
          },
        },
      },
    ],
  });

step("lints: exit 0 on a scoped trust policy, 1 on an open one, 2 on a usage error", () => {
  const app = join(work, "app");
  writeFileSync(join(app, "good.json"), trust("repo:acme/app:ref:refs/heads/main"));
  writeFileSync(join(app, "open.json"), trust(undefined));
  const good = oidclint(["good.json"]);
  assert(good.status === 0, `good.json: exit ${good.status}\n${good.stdout}${good.stderr}`);
  const bad = oidclint(["open.json"]);
  assert(
    bad.status === 1 && /missing-sub-condition/.test(bad.stdout),
    `open.json: exit ${bad.status}\n${bad.stdout}${bad.stderr}`,
  );
  const usage = oidclint(["--format", "nope", "good.json"]);
  assert(usage.status === 2, `usage error: exit ${usage.status}`);
});

step("--format sarif and --format github", () => {
  const sarif = oidclint(["--format", "sarif", "open.json"]);
  const log = JSON.parse(sarif.stdout);
  assert(log.version === "2.1.0" && log.runs[0].tool.driver.version === pkg.version, "SARIF version fields");
  assert(
    log.runs[0].results.some((r) => r.ruleId === "missing-sub-condition"),
    "SARIF result missing",
  );
  const github = oidclint(["--format", "github", "open.json"]);
  assert(/^::error file=open\.json,line=\d+/m.test(github.stdout), `github format: ${github.stdout}`);
});

step('library: import { lint, formatters, rules } from "oidclint"', () => {
  const app = join(work, "app");
  const script = `
    import { lint, formatters, rules } from "oidclint";
    const report = await lint({ cwd: process.cwd(), paths: ["open.json"] });
    if (report.errorCount < 1) throw new Error("no error found");
    if (!rules.some((r) => r.meta.id === "missing-sub-condition")) throw new Error("rules");
    process.stdout.write(formatters.json(report, { cwd: process.cwd(), color: false, rules, version: "x" }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: app, encoding: "utf8" });
  assert(JSON.parse(out)[0].messages.length > 0, "json formatter output");
});

step("types: a TypeScript consumer type-checks against the shipped .d.ts", () => {
  const app = join(work, "app");
  writeFileSync(
    join(app, "consumer.ts"),
    `import { lint, formatters, rules, type LintReport, type LintMessage } from "oidclint";
const report: LintReport = await lint({ paths: ["."] });
const first: LintMessage | undefined = report.results[0]?.messages[0];
const text: string = formatters.sarif(report, { cwd: ".", color: false, rules, version: "1" });
export { first, text };
`,
  );
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        typeRoots: [join(root, "node_modules/@types")],
        types: ["node"],
      },
      files: ["consumer.ts"],
    }),
  );
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], {
    cwd: app,
    encoding: "utf8",
  });
});

console.log(`package check passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
cleanup();

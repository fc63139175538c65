/**
 * The HTML trust map as a person sees it: rendered in headless Chromium (Debian's `chromium`, driven by
 * playwright-core), every job and role a visible node, the refused edge drawn red and dashed, no
 * console error, no request leaving the page, the filters working with JavaScript and the page whole
 * without it. Screenshots are kept in test-artifacts/map/ (gitignored). Skipped, with a note, when
 * Chromium is not installed (`apt-get install chromium`; .ci/run installs it).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main, type CliIO } from "../src/cli.js";
import type { TrustMap } from "../src/map/graph.js";
import { FIXTURES, ROOT } from "./helpers.js";
import { HOSTILE, writeProject } from "./map-helpers.js";

const CHROMIUM = process.env.OIDCLINT_CHROMIUM ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium): skipping the map's browser test`);

const PROJECT = join(FIXTURES, "_projects", "trust-map");
const ARTIFACTS = join(ROOT, "test-artifacts", "map");

async function render(cwd: string, format: string, out?: string): Promise<string> {
  let text = "";
  let err = "";
  const io: CliIO = {
    stdout: (s) => (text += s),
    stderr: (s) => (err += s),
    readStdin: () => Promise.resolve(""),
    isTTY: false,
    cwd,
    env: {},
  };
  const code = await main(["map", "--format", format, ...(out ? ["-o", out] : [])], io);
  expect(err).toBe("");
  expect(code).toBe(0);
  return text;
}

interface Watch {
  errors: string[];
  requests: string[];
  dialogs: string[];
}

async function open(browser: Browser, file: string, javaScriptEnabled = true): Promise<{ page: Page; watch: Watch }> {
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const watch: Watch = { errors: [], requests: [], dialogs: [] };
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") watch.errors.push(m.text());
  });
  page.on("pageerror", (e) => watch.errors.push(e.message));
  page.on("request", (r) => {
    if (!r.url().startsWith("file:")) watch.requests.push(r.url());
  });
  page.on("dialog", (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`file://${file}`);
  return { page, watch };
}

/** The nodes drawn, by map id: whether each is on screen (laid out, not hidden) and its text. */
async function drawnNodes(page: Page): Promise<Map<string, { visible: boolean; text: string }>> {
  const list = await page.$$eval("svg.graph g.node", (els) =>
    els.map((el) => {
      const box = (el as SVGGraphicsElement).getBoundingClientRect();
      const style = getComputedStyle(el);
      return {
        id: el.getAttribute("data-id") ?? "",
        visible: box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none",
        text: Array.from(el.querySelectorAll(":scope > text"))
          .map((t) => t.textContent)
          .join("\n"),
      };
    }),
  );
  return new Map(list.map((n) => [n.id, n]));
}

describe.skipIf(!hasChromium)("oidclint map --format html in Chromium", () => {
  let browser: Browser;
  const file = join(ARTIFACTS, "trust-map.html");
  let map: TrustMap;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await render(PROJECT, "html", file);
    map = JSON.parse(await render(PROJECT, "json")) as TrustMap;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser.close();
  });

  it("shows every job and role as a node, the refused edge marked, with no console error and no request", async () => {
    const { page, watch } = await open(browser, file);
    // Every page of the graph opened (the first is open already), as a reader would.
    await page.$$eval("details.page", (ds) => {
      for (const d of ds) (d as HTMLDetailsElement).open = true;
    });
    const nodes = await drawnNodes(page);
    const jobs = map.workflows.flatMap((w) => w.jobs);
    expect(jobs.length).toBe(5);
    expect(map.roles.length).toBe(5);
    for (const j of jobs)
      expect(nodes.get(j.id), j.id).toMatchObject({ visible: true, text: expect.stringContaining(j.job) as string });
    for (const r of map.roles)
      expect(nodes.get(r.id), r.id).toMatchObject({ visible: true, text: expect.stringContaining(r.label) as string });
    for (const p of map.providers) expect(nodes.get(p.id)?.visible, p.id).toBe(true);

    const refused = await page.$$eval("svg.graph g.edge.refused", (els) =>
      els.map((el) => {
        const path = el.querySelector("path");
        const style = path ? getComputedStyle(path) : undefined;
        return {
          id: el.getAttribute("data-id"),
          stroke: style?.stroke,
          dash: style?.strokeDasharray,
          label: el.querySelector("text")?.textContent,
          visible: (el as SVGGraphicsElement).getBoundingClientRect().width > 0,
        };
      }),
    );
    const expected = map.edges.find((e) => e.verdict === "refused");
    expect(refused).toEqual([
      { id: expected?.id, stroke: "rgb(198, 40, 40)", dash: "7px, 4px", label: "✖ refused", visible: true },
    ]);
    // The accepted edges are drawn solid green.
    const accepted = await page.$$eval("svg.graph g.edge.accepted path", (els) =>
      els.map((p) => [getComputedStyle(p).stroke, getComputedStyle(p).strokeDasharray]),
    );
    expect(accepted).toEqual(Array.from({ length: 3 }, () => ["rgb(46, 125, 50)", "none"]));
    // The tables hold the refused job with the condition that refuses it.
    const row = page.locator("#jobs tr", { hasText: "publish" });
    await expect(row.locator(".verdict").textContent()).resolves.toBe("refused: AccessDenied");
    await expect(row.locator(".conds li.refuses").textContent()).resolves.toContain(
      "sub refuses: StringEquals repo:acme/shop:ref:refs/heads/main (infra/github-oidc.tf:21)",
    );
    await page.screenshot({ path: join(ARTIFACTS, "trust-map.png") });
    await page.screenshot({ path: join(ARTIFACTS, "trust-map-full.png"), fullPage: true });
    expect(watch).toEqual({ errors: [], requests: [], dialogs: [] });
    await page.context().close();
  });

  it("filters by path, role and finding with JavaScript", async () => {
    const { page, watch } = await open(browser, file);
    await expect(page.locator("#filters").isVisible()).resolves.toBe(true);
    const visibleRows = (): Promise<string[]> =>
      page.$$eval("#jobs tbody tr:not([hidden])", (trs) =>
        trs.map((tr) => tr.querySelector("td")?.childNodes[0]?.textContent ?? ""),
      );
    const dimmed = (): Promise<string[]> =>
      page.$$eval("svg.graph g.node.dim", (els) => els.map((e) => e.getAttribute("data-id") ?? ""));
    await page.fill("#f-path", "release");
    expect(await visibleRows()).toEqual(["publish"]);
    // The publish job, the role it assumes, its finding: rows of the jobs, roles, providers and findings tables.
    expect(await page.textContent("#f-count")).toBe("3 of 13 rows");
    expect(await dimmed()).toContain("job:.github/workflows/deploy.yml#staging");
    expect(await dimmed()).not.toContain("job:.github/workflows/release.yml#publish");
    await page.fill("#f-path", "");
    await page.selectOption("#f-role", "role:stacks/roles.yaml#PlanRole");
    expect(await visibleRows()).toEqual(["plan"]);
    await page.selectOption("#f-role", "");
    await page.selectOption("#f-rule", "*");
    expect(await visibleRows()).toEqual(["publish"]);
    expect(
      await page.$$eval("#roles tbody tr:not([hidden]) td:first-child", (tds) =>
        tds.map((td) => td.childNodes[0]?.textContent),
      ),
    ).toEqual(["shop-deploy", "shop-readonly"]);
    await page.selectOption("#f-rule", "");
    expect((await visibleRows()).length).toBe(5);
    expect(await dimmed()).toEqual([]);
    expect(watch).toEqual({ errors: [], requests: [], dialogs: [] });
    await page.context().close();
  });

  it("is whole without JavaScript: graph and tables shown, the filter form hidden", async () => {
    const { page, watch } = await open(browser, file, false);
    await expect(page.locator("#filters").isVisible()).resolves.toBe(false);
    const nodes = await drawnNodes(page);
    for (const j of map.workflows.flatMap((w) => w.jobs)) expect(nodes.get(j.id)?.visible, j.id).toBe(true);
    await expect(page.locator("#jobs tbody tr").count()).resolves.toBe(5);
    await expect(page.locator("#findings tbody tr").count()).resolves.toBe(2);
    expect(watch).toEqual({ errors: [], requests: [], dialogs: [] });
    await page.context().close();
  });

  it("shows hostile names as text: no script runs, nothing is requested", async () => {
    const out = join(ARTIFACTS, "hostile.html");
    await render(writeProject(HOSTILE), "html", out);
    const { page, watch } = await open(browser, out);
    const nodes = await drawnNodes(page);
    const texts = [...nodes.values()].map((n) => n.text).join("\n");
    expect(texts).toContain('"><svg onload=alert(2)>');
    expect(texts).toContain("x</text><script>alert(5)</script>");
    expect(await page.title()).toBe("OIDC trust map — acme/shop");
    await page.screenshot({ path: join(ARTIFACTS, "hostile.png"), fullPage: true });
    expect(watch).toEqual({ errors: [], requests: [], dialogs: [] });
    await page.context().close();
  });
});

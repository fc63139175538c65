import type { SourceLocation } from "../../model/location.js";
import type { ParseProblem } from "../../model/project.js";
import type { TreeNode } from "../tree.js";
import type { Block } from "./module.js";

/**
 * The budgets of Terraform evaluation. Terraform itself evaluates without limits; oidclint reads code
 * written by whoever opens a pull request, so every recursion has a depth limit and every expansion a
 * size limit. Reaching one makes the value unknown (no finding depends on it) and reports, once per
 * place, which limit was reached. The numbers are far above what real modules need (README, "Limits"):
 * the largest public modules measured evaluate a few thousand expressions per module directory.
 */
export const LIMITS = {
  /** Nested evaluations: expression nesting plus references through locals, variables and templates. */
  depth: 200,
  /**
   * Expression evaluations for one root module with every module it calls. The largest measured on real
   * repositories: 4,019 (README, "Limits").
   */
  steps: 25_000,
  /** Elements of one collection built by evaluation (`for`, `range`, `setproduct`, template `for`). */
  collection: 10_000,
  /** Characters of one string built by evaluation (templates, `join`, `format`, `strrev` …). */
  stringLength: 100_000,
  /** Interpolated values one string is made of, counted through the strings they are made of. */
  pieces: 2_000,
  /** Module instances (calls × `count`/`for_each`) expanded from one root module. */
  moduleInstances: 256,
} as const;

export type LimitName = keyof typeof LIMITS;

const DESCRIPTION: Record<LimitName, string> = {
  depth: "values nested or referring to each other more than {n} levels deep",
  steps: "more than {n} expression evaluations in one root module",
  collection: "a collection of more than {n} elements",
  stringLength: "a string of more than {n} characters",
  pieces: "a string made of more than {n} interpolated values",
  moduleInstances: "more than {n} module instances from one root module",
};

/**
 * What one root module's evaluation has spent, and the limits it reached. Shared by every module
 * instance the root calls (their `ModuleCtx` copies keep the same object).
 */
export class Budget {
  steps = 0;
  moduleInstances = 0;
  readonly problems: ParseProblem[] = [];
  /** Files this root module renders as templates (`templatefile()`, `data "template_file"`): see `ParsedFile.templates`. */
  readonly templates = new Set<string>();
  private readonly reported = new Set<string>();

  /** `used`: the policy documents some role or policy used, shared by every root module of the run. */
  constructor(readonly used: Set<Block>) {}

  /** The unknown a limit leaves in place of the value, reported once per limit and place. */
  exceeded(limit: LimitName, loc: SourceLocation): TreeNode {
    const what = DESCRIPTION[limit].replace("{n}", LIMITS[limit].toLocaleString("en-US"));
    this.report(`Terraform evaluation limit reached (${what}); oidclint treats this value as unknown.`, loc);
    return { kind: "unknown", expr: `a value past the ${limit} limit`, loc, reason: "limit" };
  }

  /** A problem of the evaluation, reported once per message and line. */
  report(message: string, loc: SourceLocation): void {
    const key = `${message}\0${loc.file}\0${String(loc.line)}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.problems.push({ message, loc });
  }

  get spent(): boolean {
    return this.steps >= LIMITS.steps;
  }

  /** Counts one evaluation; false once the step budget is spent. */
  step(): boolean {
    return ++this.steps <= LIMITS.steps;
  }
}

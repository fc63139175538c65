// The validator of a config that writes no rule levels: the config schema of an empty rule set, compiled by the
// build (scripts/build-config-validator.mjs) and written next to load.js in dist/; there is no source of it here.
import type { ErrorObject } from "ajv";

declare const validate: { (data: unknown): boolean; errors?: ErrorObject[] | null };
export default validate;
/** The key of the rule set the validator was compiled for (`configSchemaKey([])`). */
export declare const schemaKey: string;

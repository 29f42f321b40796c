/**
 * The package version and the `User-Agent` it sends.
 *
 * @module
 */

/**
 * This package's version, kept equal to `deno.json`'s `version` by a test.
 *
 * @example Print the version
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.log(VERSION);
 * ```
 */
export const VERSION = "0.1.0";

/**
 * The `User-Agent` header every request carries: this module's name and version.
 *
 * @example Print the user agent
 * ```ts
 * import { USER_AGENT } from "./version.ts";
 * console.log(USER_AGENT); // "lightly-sampling/0.1.0 (Deno)"
 * ```
 */
export const USER_AGENT: string = `lightly-sampling/${VERSION} (Deno)`;

// The package version and the `User-Agent` it sends.

/** This package's version, kept equal to `deno.json`'s `version` by a test. */
export const VERSION = "0.1.0";

/** The `User-Agent` header every request carries, e.g. `lightly-sampling/0.1.0 (Deno)`. */
export const USER_AGENT: string = `lightly-sampling/${VERSION} (Deno)`;

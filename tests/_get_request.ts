/**
 * A GET as the reads build it, for the tests of printing and building: the
 * library has no public GET builder (each read builds its own from ids).
 */
import { getRequest, type LightlyRequest } from "../lib/core/build.ts";
import { prepare } from "../lib/core/client.ts";
import { BUILD_OPTIONS } from "../lib/core/rules.ts";
import type { ClientOptions } from "../mod.ts";

/** The frozen GET of an encoded `path` for `options`, validated as the builder's; throws `ValidationError`. */
export function buildGetRequest(
  path: string,
  options?: ClientOptions,
): LightlyRequest {
  return getRequest(
    prepare(undefined, "options", BUILD_OPTIONS, options).client,
    path,
  );
}

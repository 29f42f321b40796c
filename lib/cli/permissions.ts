/**
 * Deno permissions: ask before touching anything, so a missing permission
 * becomes one line naming the exact flag to add (exit code 2) instead of a
 * prompt or a stack trace. Nothing here ever triggers a permission prompt:
 * only a permission already `granted` counts.
 *
 * @module
 */
import { MissingPermissionError } from "./errors.ts";

/** One thing a command needs to be allowed to do. */
export type PermissionNeed =
  | { readonly name: "env"; readonly variable: string }
  | { readonly name: "net"; readonly host: string }
  | { readonly name: "read"; readonly path: string }
  | { readonly name: "write"; readonly path: string };

/**
 * Whether Deno already granted `need` (a `prompt` state counts as not).
 *
 * @param need The permission.
 * @returns `true` when granted.
 *
 * @example
 * ```ts
 * import { isGranted } from "./permissions.ts";
 * isGranted({ name: "env", variable: "LIGHTLY_TOKEN" });
 * ```
 */
export function isGranted(need: PermissionNeed): boolean {
  return Deno.permissions.querySync(need).state === "granted";
}

/**
 * The `deno run` flags that grant `needs`, one flag per permission kind.
 *
 * @param needs The permissions.
 * @returns E.g. `["--allow-env=LIGHTLY_TOKEN,LIGHTLY_JWT", "--allow-net=api.lightly.ai"]`.
 *
 * @example
 * ```ts
 * import { flagsFor } from "./permissions.ts";
 * flagsFor([{ name: "net", host: "api.lightly.ai" }]); // ["--allow-net=api.lightly.ai"]
 * ```
 */
export function flagsFor(needs: readonly PermissionNeed[]): string[] {
  const groups = new Map<string, string[]>();
  for (const need of needs) {
    const value = need.name === "env"
      ? need.variable
      : need.name === "net"
      ? need.host
      : need.path;
    const list = groups.get(need.name) ?? [];
    if (!list.includes(value)) list.push(value);
    groups.set(need.name, list);
  }
  return [...groups].map(([name, values]) =>
    `--allow-${name}=${values.join(",")}`
  );
}

/**
 * Checks `needs` and throws one error naming every missing flag.
 *
 * @param needs The permissions a command needs.
 * @throws {MissingPermissionError} When any is not granted.
 *
 * @example
 * ```ts ignore
 * import { requirePermissions } from "./permissions.ts";
 * requirePermissions([{ name: "net", host: "api.lightly.ai" }]);
 * ```
 */
export function requirePermissions(needs: readonly PermissionNeed[]): void {
  const missing = needs.filter((need) => !isGranted(need));
  if (missing.length > 0) throw new MissingPermissionError(flagsFor(missing));
}

/**
 * Reads an environment variable when reading it is allowed.
 *
 * @param variable The variable's name.
 * @returns `{ granted: false }` without permission (and without a prompt),
 *   else `{ granted: true, value }` (`value` is `undefined` when unset).
 *
 * @example
 * ```ts
 * import { readEnv } from "./permissions.ts";
 * const { granted, value } = readEnv("LIGHTLY_SERVER_LOCATION");
 * ```
 */
export function readEnv(
  variable: string,
): { granted: boolean; value?: string } {
  if (!isGranted({ name: "env", variable })) return { granted: false };
  return { granted: true, value: Deno.env.get(variable) };
}

const DENO_MESSAGE = /Requires (\w+) access to "([^"]*)"/;

/**
 * The flag to add, read from an error Deno threw for a missing permission.
 *
 * @param error Anything caught.
 * @returns A {@linkcode MissingPermissionError}, or `undefined` when `error`
 *   is not about a permission.
 *
 * @example
 * ```ts
 * import { fromDenoPermissionError } from "./permissions.ts";
 * fromDenoPermissionError(new Deno.errors.NotCapable(
 *   'Requires net access to "api.lightly.ai", run again with the --allow-net flag',
 * ))?.flags; // ["--allow-net=api.lightly.ai"]
 * ```
 */
export function fromDenoPermissionError(
  error: unknown,
): MissingPermissionError | undefined {
  if (
    !(error instanceof Deno.errors.NotCapable) &&
    !(error instanceof Deno.errors.PermissionDenied)
  ) return undefined;
  const match = DENO_MESSAGE.exec(error.message);
  const flag = match
    ? `--allow-${match[1]}=${match[2]}`
    : /--allow-[a-z]+/.exec(error.message)?.[0] ?? "--allow-…";
  return new MissingPermissionError([flag]);
}

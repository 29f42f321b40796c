/**
 * Deno permissions, asked before touching anything: a missing one is a line
 * naming the flag to add (exit code 2), never a prompt or a stack trace.
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

/** Whether Deno already granted `need` (a `prompt` state counts as not). */
export function isGranted(need: PermissionNeed): boolean {
  return Deno.permissions.querySync(need).state === "granted";
}

/** The `deno run` flags that grant `needs`, one flag per permission kind. */
export function flagsFor(needs: readonly PermissionNeed[]): string[] {
  const groups = new Map<string, Set<string>>();
  for (const need of needs) {
    const value = "variable" in need
      ? need.variable
      : "host" in need
      ? need.host
      : need.path;
    groups.set(need.name, (groups.get(need.name) ?? new Set()).add(value));
  }
  return [...groups].map(([name, values]) =>
    `--allow-${name}=${[...values].join(",")}`
  );
}

/** Checks `needs`, throwing one {@linkcode MissingPermissionError} naming every missing flag. */
export function requirePermissions(needs: readonly PermissionNeed[]): void {
  const missing = needs.filter((need) => !isGranted(need));
  if (missing.length > 0) throw new MissingPermissionError(flagsFor(missing));
}

/** Reads an environment variable when reading it is allowed. */
export function readEnv(variable: string): {
  granted: boolean;
  value?: string;
} {
  return isGranted({ name: "env", variable })
    ? { granted: true, value: Deno.env.get(variable) }
    : { granted: false };
}

const DENO_MESSAGE = /Requires (\w+) access to "([^"]*)"/;

/** The flag to add, read from an error Deno threw for a missing permission. */
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

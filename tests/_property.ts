/**
 * Running fast-check properties the same way everywhere: a fixed number of
 * runs (from a fresh random seed each time), a report that names the seed and
 * the shrunk counterexample's path, and a one-line command that replays
 * exactly that counterexample.
 *
 * Replay a failure with the `FC_SEED` and `FC_PATH` it printed:
 *
 *     FC_SEED=-123 FC_PATH="4:1:0" deno test --allow-env --allow-read \
 *       --allow-net=127.0.0.1 tests/input_properties_test.ts --filter "<test name>"
 *
 * The counts written in the tests are the quick suite's (500 per pure
 * property); `TEST_SCALE=full` (CI's `deno task test:scale`) multiplies them
 * by 20, and `FC_RUNS` by any factor, to explore further (e.g. `FC_RUNS=100`).
 */
import fc from "fast-check";
import { FULL_SCALE, FULL_SCALE_RUNS } from "./_scale.ts";

export { fc };

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: the fixed defaults apply
  }
}

/** The run parameters: `numRuns` (times `FC_RUNS` or the full scale's factor), or a replay of `FC_SEED`/`FC_PATH`. */
export function runParameters<T>(numRuns: number): fc.Parameters<T> {
  const seed = env("FC_SEED");
  const path = env("FC_PATH");
  const factor = Number(env("FC_RUNS") ?? (FULL_SCALE ? FULL_SCALE_RUNS : 1));
  const runs = Math.max(1, Math.round(numRuns * (factor > 0 ? factor : 1)));
  if (seed === undefined) return { numRuns: runs };
  return {
    numRuns: runs,
    seed: Number(seed),
    ...(path === undefined ? {} : { path, endOnFailure: true }),
  };
}

/** Whether this run replays one counterexample (statistics then mean nothing). */
export function isReplay(): boolean {
  return env("FC_SEED") !== undefined;
}

function failure<T>(details: fc.RunDetails<T>, t: Deno.TestContext): Error {
  const file = t.origin.replace(/^.*\/(tests\/[^/]+)$/, "$1");
  const replay = `FC_SEED=${details.seed} FC_PATH="${
    details.counterexamplePath ?? ""
  }" deno test --allow-env --allow-read --allow-net=127.0.0.1 ${file} --filter ${
    JSON.stringify(t.name)
  }`;
  return new Error(
    `${fc.defaultReportMessage(details)}\n\nreplay: ${replay}`,
    { cause: details.errorInstance },
  );
}

/**
 * Runs a synchronous property `numRuns` times; on failure throws fast-check's
 * report (seed, path, shrunk counterexample, the error) and a replay command.
 */
export function checkProperty<T>(
  property: fc.IProperty<T>,
  numRuns: number,
  t: Deno.TestContext,
): fc.RunDetails<T> {
  const details = fc.check(property, runParameters<T>(numRuns));
  if (details.failed) throw failure(details, t);
  return details;
}

/** Like {@linkcode checkProperty}, for an asynchronous property. */
export async function checkAsyncProperty<T>(
  property: fc.IAsyncProperty<T>,
  numRuns: number,
  t: Deno.TestContext,
): Promise<fc.RunDetails<T>> {
  const details = await fc.check(property, runParameters<T>(numRuns));
  if (details.failed) throw failure(details, t);
  return details;
}

/**
 * Every printable surface of an error and of its causes, joined: message,
 * stack, `String()`, `JSON.stringify`, every string field, and (once, at the
 * top: it shows the causes too) `Deno.inspect` with hidden fields.
 */
export function printedForms(error: unknown, depth = 0): string {
  if (depth > 5 || error === undefined || error === null) return "";
  const parts: string[] = [String(error)];
  if (error instanceof Error) {
    parts.push(error.message, error.stack ?? "");
    parts.push(printedForms(error.cause, depth + 1));
  }
  try {
    parts.push(JSON.stringify(error) ?? "");
  } catch { /* a cycle: inspect covers it */ }
  if (depth === 0) {
    parts.push(
      Deno.inspect(error, { depth: Infinity, showHidden: true, colors: false }),
    );
  }
  if (typeof error === "object") {
    for (const value of Object.values(error)) {
      if (typeof value === "string") parts.push(value);
    }
  }
  return parts.join("\n");
}

/**
 * How far the exhaustive tests go. `deno task test` (the quick suite) runs
 * every property a few hundred times and export's size × page-size matrix
 * at the cheap sizes that still cross every page boundary; CI's
 * `deno task test:scale` sets `TEST_SCALE=full`: 20 times the runs (10 000
 * per pure property) and the whole matrix.
 */

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: the quick scale applies
  }
}

/** Whether this is CI's full-scale run (`TEST_SCALE=full`). */
export const FULL_SCALE: boolean = env("TEST_SCALE") === "full";

/** What a full-scale run multiplies each property's run count by. */
export const FULL_SCALE_RUNS = 20;

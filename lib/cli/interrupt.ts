/**
 * Ctrl-C: the first SIGINT aborts the running command through an
 * `AbortSignal` (so it can say what was left running and how to resume);
 * a second one exits at once with code 130.
 *
 * @module
 */

/** A SIGINT watch; dispose it when the command ends. */
export interface InterruptWatch extends Disposable {
  /** Aborts on the first SIGINT. */
  readonly signal: AbortSignal;
}

/**
 * Watches for SIGINT until disposed.
 *
 * @returns The watch, whose `signal` aborts on Ctrl-C.
 *
 * @example
 * ```ts
 * import { watchInterrupt } from "./interrupt.ts";
 * using watch = watchInterrupt();
 * // ... await work({ signal: watch.signal });
 * ```
 */
export function watchInterrupt(): InterruptWatch {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) Deno.exit(130);
    controller.abort(new DOMException("Interrupted (SIGINT)", "AbortError"));
  };
  let listening = false;
  try {
    Deno.addSignalListener("SIGINT", onSignal);
    listening = true;
  } catch {
    // No signal support here: Ctrl-C then ends the process the default way.
  }
  return {
    signal: controller.signal,
    [Symbol.dispose]() {
      if (listening) Deno.removeSignalListener("SIGINT", onSignal);
      listening = false;
    },
  };
}

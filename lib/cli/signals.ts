/**
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP alike: the first aborts the command
 * through an `AbortSignal`, so it can say what it left running and exit with
 * 128 + the signal's number (130, 143, 129); a second exits at once.
 *
 * @module
 */
import { EXIT } from "./errors.ts";

/** Where signals come from: `Deno` itself, or a fake one in tests. */
export type SignalSource = Pick<
  typeof Deno,
  "addSignalListener" | "removeSignalListener"
>;

const SIGNALS: readonly (readonly [Deno.Signal, number])[] = [
  ["SIGINT", EXIT.INTERRUPTED],
  ["SIGTERM", EXIT.TERMINATED],
  ["SIGHUP", EXIT.HANGUP],
];

/** A watch of the interrupting signals; dispose it when the command ends. */
export interface InterruptWatch extends Disposable {
  /** Aborts on the first SIGINT, SIGTERM or SIGHUP. */
  readonly signal: AbortSignal;
  /** The code an interrupted run exits with: 130, 143 or 129 (130 before any came). */
  readonly exitCode: number;
}

/** Watches for SIGINT, SIGTERM and SIGHUP until disposed, which removes every listener. */
export function watchInterrupt(source: SignalSource = Deno): InterruptWatch {
  const controller = new AbortController();
  let exitCode: number = EXIT.INTERRUPTED;
  const listening: [Deno.Signal, () => void][] = [];
  for (const [name, code] of SIGNALS) {
    const onSignal = () => {
      if (controller.signal.aborted) Deno.exit(code);
      exitCode = code;
      controller.abort(new DOMException(`Interrupted (${name})`, "AbortError"));
    };
    try {
      source.addSignalListener(name, onSignal);
      listening.push([name, onSignal]);
    } catch {
      // Not supported here (Windows has no SIGTERM or SIGHUP listeners):
      // that signal then ends the process the default way.
    }
  }
  return {
    signal: controller.signal,
    get exitCode() {
      return exitCode;
    },
    [Symbol.dispose]() {
      for (const [name, onSignal] of listening.splice(0)) {
        source.removeSignalListener(name, onSignal);
      }
    },
  };
}

/**
 * A `fetch` double for properties: it answers from a list of arbitrary
 * response descriptions, behaves like Deno's fetch where it matters (the
 * call's signal rejects a pending call and errors a body being read), and
 * records what happened to every body: how many bytes were pulled from it,
 * and whether it was read to the end, cancelled or errored.
 */
import { fc } from "./_property.ts";

/** How a body's bytes arrive. */
export type BodySpec =
  | { kind: "chunks"; chunks: Uint8Array[]; then: "end" | "error" | "stall" }
  | { kind: "endless"; chunkBytes: number; totalBytes: number };

/** One answer of the fake fetch. */
export type ResponseSpec =
  | {
    kind: "response";
    status: number;
    headers: [string, string][];
    body: BodySpec;
  }
  | { kind: "reject"; message: string }
  | { kind: "never" };

/** What happened to one body. */
export interface BodyRecord {
  pulled: number;
  largestChunk: number;
  state: "open" | "done" | "cancelled" | "errored";
}

/** The fake fetch and what it saw. */
export interface FakeFetch {
  fetch: typeof fetch;
  calls: number;
  bodies: BodyRecord[];
  /** The specs answered, in order. */
  served: ResponseSpec[];
}

const NULL_BODY_STATUS = [204, 205, 304];

function untilAborted(signal: AbortSignal | undefined | null): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return; // never: the hang detector catches it
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

function stream(
  spec: BodySpec,
  signal: AbortSignal | undefined | null,
  record: BodyRecord,
): ReadableStream<Uint8Array> {
  let index = 0;
  let sent = 0;
  const push = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    chunk: Uint8Array,
  ) => {
    record.pulled += chunk.byteLength;
    record.largestChunk = Math.max(record.largestChunk, chunk.byteLength);
    controller.enqueue(chunk);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (signal?.aborted) {
        record.state = "errored";
        return controller.error(signal.reason);
      }
      if (spec.kind === "endless") {
        if (sent >= spec.totalBytes) {
          record.state = "done";
          return controller.close();
        }
        const n = Math.min(spec.chunkBytes, spec.totalBytes - sent);
        sent += n;
        return push(controller, new Uint8Array(n));
      }
      if (index < spec.chunks.length) {
        return push(controller, spec.chunks[index++]);
      }
      if (spec.then === "end") {
        record.state = "done";
        return controller.close();
      }
      if (spec.then === "stall") await untilAborted(signal);
      // A dropped connection mid-body, or the call's signal after a stall.
      record.state = "errored";
      controller.error(
        signal?.aborted ? signal.reason : new TypeError("connection reset"),
      );
    },
    cancel() {
      record.state = "cancelled";
    },
  });
}

/** A fetch answering `specs` in order (the last one again when they run out). */
export function fakeFetch(specs: readonly ResponseSpec[]): FakeFetch {
  const fake: FakeFetch = {
    calls: 0,
    bodies: [],
    served: [],
    fetch: (_input, init) => {
      const spec = specs[Math.min(fake.calls, specs.length - 1)];
      fake.calls++;
      fake.served.push(spec);
      const signal = init?.signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (spec.kind === "reject") {
        return Promise.reject(new TypeError(spec.message));
      }
      if (spec.kind === "never") {
        return untilAborted(signal).then(() => Promise.reject(signal!.reason));
      }
      const record: BodyRecord = { pulled: 0, largestChunk: 0, state: "open" };
      const nullBody = NULL_BODY_STATUS.includes(spec.status);
      if (!nullBody) fake.bodies.push(record);
      return Promise.resolve(
        new Response(nullBody ? null : stream(spec.body, signal, record), {
          status: spec.status,
          headers: spec.headers,
        }),
      );
    },
  };
  return fake;
}

// ------------------------------------------------------------ arbitraries

const encoder = new TextEncoder();

/** The bytes of `text`, cut into 1 to 4 chunks. */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.byteLength + 1)))]
    .sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.byteLength]) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  return out;
}

const JOB_ID = "0123456789abcdef01234567";

/** Texts a Lightly API (or a proxy in front of it) might answer. */
export const bodyText: fc.Arbitrary<string> = fc.oneof(
  fc.constant(JSON.stringify({ jobId: JOB_ID })),
  fc.string().map((jobId) => JSON.stringify({ jobId })),
  fc.record({
    code: fc.constantFrom("BAD_REQUEST", "TAG_NAME_EXISTS", "X"),
    error: fc.string(),
    requestId: fc.option(fc.string(), { nil: undefined }),
    errorLabels: fc.option(fc.array(fc.string()), { nil: undefined }),
  }).map((o) => JSON.stringify(o)),
  fc.record({
    id: fc.constant(JOB_ID),
    status: fc.constantFrom("WAITING", "RUNNING", "FINISHED", "FAILED", "NEW"),
    waitTimeTillNextPoll: fc.oneof(fc.nat(), fc.double()),
    createdAt: fc.nat(),
    error: fc.option(fc.string(), { nil: undefined }),
    result: fc.option(fc.record({ type: fc.string(), data: fc.jsonValue() }), {
      nil: undefined,
    }),
  }).map((o) => JSON.stringify(o)),
  fc.json(),
  fc.constant("<html><body><h1>502 Bad Gateway</h1></body></html>"),
  fc.string({ unit: "binary" }),
  fc.constant(""),
);

const bytesBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: bodyText.map((t) => encoder.encode(t)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
);

/** A body: bytes in chunks that end, break or stall, or a big one. */
export const bodySpec: fc.Arbitrary<BodySpec> = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.tuple(
      bytesBody,
      fc.array(fc.nat(), { maxLength: 3 }),
      fc.oneof(
        { weight: 20, arbitrary: fc.constant<"end">("end") },
        { weight: 2, arbitrary: fc.constant<"error">("error") },
        { weight: 1, arbitrary: fc.constant<"stall">("stall") },
      ),
    ).map(([bytes, cuts, then]): BodySpec => ({
      kind: "chunks",
      chunks: chunked(bytes, cuts),
      then,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant<"endless">("endless"),
      chunkBytes: fc.constantFrom(1024, 16 * 1024, 64 * 1024),
      totalBytes: fc.constantFrom(1024 * 1024 - 1, 1024 * 1024 + 1, 3 << 20),
    }),
  },
);

/** The length the body really has, when it ends. */
export function trueLength(body: BodySpec): number | undefined {
  if (body.kind === "endless") return body.totalBytes;
  if (body.then !== "end") return undefined;
  return body.chunks.reduce((n, c) => n + c.byteLength, 0);
}

const headerValue = fc.string({ unit: "grapheme-ascii", maxLength: 40 });

/** Headers a server may send (never a lying `Content-Length`: see `lyingLength`). */
export const headers: fc.Arbitrary<[string, string][]> = fc.record({
  "content-type": fc.option(
    fc.oneof(
      fc.constantFrom("application/json", "text/html", "text/plain"),
      headerValue,
    ),
    { nil: undefined },
  ),
  "retry-after": fc.option(
    fc.oneof(
      fc.constantFrom("0", "1", "120", "Wed, 21 Oct 2015 07:28:00 GMT"),
      headerValue,
    ),
    { nil: undefined },
  ),
  "x-request-id": fc.option(headerValue, { nil: undefined }),
  "location": fc.option(
    fc.constantFrom("https://elsewhere.example/x?token=abc", "/v1/x", "::"),
    { nil: undefined },
  ),
}).map((h) =>
  Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined)
);

/** A status the Response constructor takes, biased to the interesting ones. */
export const status: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    200,
    201,
    204,
    301,
    302,
    400,
    401,
    404,
    409,
    429,
    500,
    502,
    503,
  ),
  fc.integer({ min: 200, max: 599 }),
);

/**
 * One answer: a response (with an honest `Content-Length` when
 * `honestLength` is on and the body's length is known), a rejected fetch,
 * or headers that never come.
 */
export function responseSpec(
  contentLength: fc.Arbitrary<"absent" | "true" | string>,
): fc.Arbitrary<ResponseSpec> {
  return fc.oneof(
    {
      weight: 40,
      arbitrary: fc.tuple(status, headers, bodySpec, contentLength).map(
        ([status, headers, body, length]): ResponseSpec => {
          const all = [...headers];
          const real = trueLength(body);
          if (length === "true") {
            if (real !== undefined) all.push(["content-length", String(real)]);
          } else if (length !== "absent") {
            all.push(["content-length", length]);
          }
          return { kind: "response", status, headers: all, body };
        },
      ),
    },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        "error sending request: connection refused",
        "error sending request: connection reset by peer",
        "dns error: failed to lookup address information",
        "invalid peer certificate",
      ).map((message): ResponseSpec => ({ kind: "reject", message })),
    },
    { weight: 1, arbitrary: fc.constant<ResponseSpec>({ kind: "never" }) },
  );
}

/** Whether a spec makes the caller wait for its deadline. */
export function waitsForDeadline(spec: ResponseSpec): boolean {
  return spec.kind === "never" ||
    (spec.kind === "response" && spec.body.kind === "chunks" &&
      spec.body.then === "stall");
}

/** A printable summary of specs (no megabytes of zeros in a report). */
export function describeSpecs(specs: readonly ResponseSpec[]): string {
  return specs.map((s) =>
    s.kind !== "response" ? JSON.stringify(s) : JSON.stringify({
      status: s.status,
      headers: s.headers,
      body: s.body.kind === "endless" ? s.body : {
        then: s.body.then,
        text: new TextDecoder().decode(
          new Uint8Array(s.body.chunks.flatMap((c) => [...c])),
        ).slice(0, 300),
      },
    })
  ).join("\n");
}

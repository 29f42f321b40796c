/**
 * Secrets never surface: the API key and the bearer token are searched for
 * (as written and percent-encoded) in every error kind's message, stack,
 * String(), JSON and Deno.inspect, and in its causes; in every printed
 * request; and the redact helpers are checked one case at a time.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  buildSamplingRequest,
  type ClientOptions,
  formatCurl,
  formatRequest,
  getJobStatus,
  isLightlyError,
  type LightlyAuth,
  REDACTED,
  redactRequest,
  selectSamples,
  triggerSampling,
  triggerSamplingRaw,
  ValidationError,
  waitForJob,
} from "../mod.ts";
import type { HttpOptions } from "../lib/core/client.ts";
import { sendJson } from "../lib/core/http.ts";
import { AsyncTaskDataSchema } from "../lib/core/schemas.ts";
import {
  createRedactor,
  redactHeaders,
  redactSnippet,
  redactText,
  redactUrl,
  secretsOf,
} from "../lib/core/redact.ts";
import { escapeHtml } from "../lib/display/notebook.ts";
import type { JobStatusData } from "../lib/core/types.ts";
import { fakeClock } from "./_clock.ts";
import {
  DATASET,
  EMBEDDING,
  INITIAL_TAG,
  JOB,
  jobData,
  json,
  PATHS,
  type SeenRequest,
  SENTINEL,
  startRawServer,
  startServer,
  tagData,
  type TestServer,
  VALID,
} from "./_server.ts";
import { FULL_SCALE } from "./_scale.ts";

/**
 * A second secret made of URL-special characters, so its raw, encoded and
 * strictly encoded forms all differ; every piece starts with `QZX`, so a
 * partial leak (a redaction that stops at `'` or `)`) is caught too.
 */
const SPECIAL = "QZXA!QZXB/QZXC+QZXD=(QZXE)'QZXF~*QZXG";

const CREDENTIALS: [string, LightlyAuth, string[]][] = [
  ["the SENTINEL API key", { apiKey: SENTINEL }, [SENTINEL]],
  ["the SENTINEL bearer token", { bearerToken: SENTINEL }, [SENTINEL]],
  ["an API key of URL-special characters", { apiKey: SPECIAL }, ["QZX"]],
  ["a bearer token of URL-special characters", { bearerToken: SPECIAL }, [
    "QZX",
  ]],
];

/** Every form a secret could take in text. */
function forms(secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    out.add(s);
    out.add(encodeURIComponent(s));
    out.add(new URLSearchParams({ t: s }).toString().slice(2));
  }
  return [...out];
}

/** Every printable surface of an error and of its causes, joined. */
function surfaces(error: unknown, depth = 0): string {
  if (depth > 5 || error === undefined || error === null) return "";
  const parts: string[] = [String(error)];
  if (error instanceof Error) {
    parts.push(error.message, error.stack ?? "");
    parts.push(surfaces(error.cause, depth + 1));
  }
  try {
    parts.push(JSON.stringify(error) ?? "");
  } catch { /* a cycle: inspect covers it */ }
  parts.push(Deno.inspect(error, { depth: 100, showHidden: true }));
  if (typeof error === "object") {
    for (const value of Object.values(error)) {
      if (typeof value === "string") parts.push(value);
    }
  }
  return parts.join("\n");
}

function assertNoSecret(
  text: string,
  secrets: readonly string[],
  what: string,
): void {
  for (const form of forms(secrets)) {
    assert(
      !text.includes(form),
      `${what} leaks ${JSON.stringify(form)}:\n${text}`,
    );
  }
}

/** The rejection of `promise`; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (error) {
    return error;
  }
}

/** A server that echoes back the token it received, wherever it came from. */
function echoedSecret(request: { url: URL; headers: Headers }): string {
  return request.url.searchParams.get("token") ??
    request.headers.get("authorization") ?? "none";
}

type Scenario = (
  auth: LightlyAuth,
  via: "trigger" | "sendJson",
) => Promise<unknown>;

/** Sends VALID with `auth` to `base` through triggerSampling or sendJson. */
function send(
  base: string,
  auth: LightlyAuth,
  via: "trigger" | "sendJson",
  options: HttpOptions = {},
): Promise<unknown> {
  if (via === "trigger") {
    return triggerSampling(VALID, {
      baseUrl: base,
      auth,
      retry: false,
      ...options,
    });
  }
  const request = buildSamplingRequest(VALID, { baseUrl: base, auth });
  return sendJson(request, AsyncTaskDataSchema, options);
}

/** Runs `fn` with a server answering `handler`, returning the rejection. */
async function against(
  handler: (
    request: SeenRequest,
    server: TestServer,
  ) => Response | Promise<Response>,
  fn: (server: TestServer) => Promise<unknown>,
): Promise<unknown> {
  await using server: TestServer = startServer((request) =>
    handler(request, server)
  );
  return await rejection(fn(server));
}

const SCENARIOS: [string, string, Scenario][] = [
  [
    "api",
    "an ApiErrorResponse echoing the token in every field",
    (auth, via) =>
      against((req) => {
        const s = echoedSecret(req);
        return json(
          {
            code: `X_${s}`,
            error: `bad token ${s}`,
            requestId: s,
            errorLabels: [s, "ok"],
          },
          401,
          { "x-request-id": s, "retry-after": s },
        );
      }, (server) => send(server.url, auth, via)),
  ],
  [
    "api",
    "an ApiErrorResponse with the token only in the x-request-id header",
    (auth, via) =>
      against(
        (req) =>
          json({ code: "X", error: "no" }, 403, {
            "x-request-id": echoedSecret(req),
          }),
        (server) => send(server.url, auth, via),
      ),
  ],
  [
    "unexpected-response",
    "an HTML 502 page containing the token",
    (auth, via) =>
      against(
        (req) =>
          new Response(
            `<html><body>token ${
              echoedSecret(req)
            } was rejected; see ${req.url}</body></html>`,
            {
              status: 502,
              headers: {
                "content-type": `text/html; x=${echoedSecret(req)}`,
                "x-request-id": echoedSecret(req),
              },
            },
          ),
        (server) => send(server.url, auth, via),
      ),
  ],
  [
    "unexpected-response",
    "a 200 of the wrong shape echoing the token",
    (auth, via) =>
      against(
        (req) => json({ echo: echoedSecret(req), url: req.url.href }),
        (server) => send(server.url, auth, via),
      ),
  ],
  [
    "unexpected-response",
    "a 200 that is not JSON echoing the token",
    (auth, via) =>
      against(
        (req) => new Response(`token=${echoedSecret(req)}`),
        (server) => send(server.url, auth, via),
      ),
  ],
  [
    "unexpected-response",
    "a body over the cap",
    (auth, via) =>
      against(
        () => new Response(new Uint8Array(2 * 1024 * 1024), { status: 500 }),
        (server) => send(server.url, auth, via),
      ),
  ],
  [
    "network",
    "a refused connection (fetch names the URL)",
    async (auth, via) => {
      const server = startServer(() => json({}));
      await server.close();
      return await rejection(send(server.url, auth, via));
    },
  ],
  [
    "network",
    "a connection dropped mid-body",
    async (auth, via) => {
      await using server = startRawServer(
        "HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n{",
      );
      return await rejection(send(server.url, auth, via));
    },
  ],
  [
    "network",
    "an injected fetch whose error names the URL and the headers",
    (auth, via) =>
      rejection(send("http://127.0.0.1:9", auth, via, {
        fetch: ((url: string, init: RequestInit) => {
          const headers = JSON.stringify(init.headers);
          const inner = new Error(`inner: ${url} ${headers}`);
          return Promise.reject(
            new TypeError(`fetch ${url} with ${headers} failed`, {
              cause: inner,
            }),
          );
        }) as typeof fetch,
      })),
  ],
  [
    "network",
    "an injected fetch that throws a string naming the URL",
    (auth, via) =>
      rejection(send("http://127.0.0.1:9", auth, via, {
        fetch: ((url: string, init: RequestInit) => {
          throw `boom ${url} ${JSON.stringify(init.headers)}`;
        }) as typeof fetch,
      })),
  ],
  [
    "timeout",
    "a timeout while waiting for headers",
    (auth, via) =>
      against(
        async (_, server) => {
          await server.released;
          return json({ jobId: "late" });
        },
        (server) => send(server.url, auth, via, { timeoutMs: 50 }),
      ),
  ],
  [
    "aborted",
    "an abort before the call",
    (auth, via) => {
      const controller = new AbortController();
      controller.abort();
      return rejection(
        send("http://127.0.0.1:9", auth, via, { signal: controller.signal }),
      );
    },
  ],
  [
    "aborted",
    "an abort while waiting for headers",
    (auth, via) => {
      const controller = new AbortController();
      return against(
        async (_, server) => {
          controller.abort(new Error("stop"));
          await server.released;
          return json({ jobId: "late" });
        },
        (server) => send(server.url, auth, via, { signal: controller.signal }),
      );
    },
  ],
];

for (const [label, auth, secrets] of CREDENTIALS) {
  for (const [kind, name, scenario] of SCENARIOS) {
    for (const via of ["sendJson", "trigger"] as const) {
      Deno.test(`${via === "trigger" ? "triggerSampling()" : "sendJson()"} keeps ${label} out of the ${kind} error for ${name}`, async () => {
        const error = await scenario(auth, via);
        if (!isLightlyError(error)) {
          throw new Error(`not a LightlyError: ${error}`);
        }
        // The typed error itself, or under a wrapper as its cause.
        const kinds: string[] = [];
        for (
          let e: unknown = error;
          isLightlyError(e);
          e = (e as Error).cause
        ) {
          kinds.push(e.kind);
        }
        assert(kinds.includes(kind), `kinds ${kinds} lack ${kind}`);
        assertNoSecret(surfaces(error), secrets, name);
        if ("apiKey" in auth && error.url !== undefined) {
          assertStringIncludes(error.url, `?token=${REDACTED}`);
        }
      });
    }
  }
}

Deno.test("triggerSamplingRaw() keeps the token out of a network error", async () => {
  const server = startServer(() => json({}));
  await server.close();
  for (const [, auth, secrets] of CREDENTIALS) {
    const error = await rejection(
      triggerSamplingRaw(VALID, { baseUrl: server.url, auth, retry: false }),
    );
    assert(isLightlyError(error));
    assertNoSecret(surfaces(error), secrets, "triggerSamplingRaw");
  }
});

Deno.test("validation errors never show a secret from the options", () => {
  const cases: unknown[] = [
    { auth: { apiKey: `${SENTINEL}\n` } },
    { auth: { apiKey: `${SENTINEL} ` } },
    { auth: { bearerToken: `Bearer ${SENTINEL}` } },
    { auth: { apiKey: SENTINEL, bearerToken: SENTINEL } },
    { auth: { key: SENTINEL } },
    { auth: SENTINEL },
    { baseUrl: `https://u:${SENTINEL}@api.lightly.ai` },
    { baseUrl: `https://api.lightly.ai/?token=${SENTINEL}` },
    { baseUrl: `https://api.lightly.ai/#${SENTINEL}` },
    { headers: { Authorization: `Bearer ${SENTINEL}` } },
    { headers: { "X-Api-Key": `${SENTINEL}\r\n` } },
  ];
  for (const options of cases) {
    let error: unknown;
    try {
      buildSamplingRequest(VALID, options as never);
    } catch (e) {
      error = e;
    }
    assert(error instanceof ValidationError, Deno.inspect(options));
    assertNoSecret(surfaces(error), [SENTINEL], Deno.inspect(options));
  }
});

// ------------------------------------------------------ printed requests

Deno.test("formatRequest(), redactRequest() and formatCurl() never print a credential", () => {
  for (const [label, auth, secrets] of CREDENTIALS) {
    const request = buildSamplingRequest(VALID, {
      auth,
      headers: { "X-Api-Key": SENTINEL, "X-Trace": "visible" },
    });
    const printed = [
      formatRequest(request),
      JSON.stringify(redactRequest(request)),
      Deno.inspect(redactRequest(request), { depth: 10 }),
      formatCurl(request),
    ].join("\n");
    assertNoSecret(printed, [...secrets, SENTINEL], label);
    assertStringIncludes(printed, "X-Trace: visible");
    const get = formatRequest(
      { method: "GET", url: request.url, headers: request.headers },
    );
    assertNoSecret(get, [...secrets, SENTINEL], label);
  }
});

Deno.test("redactRequest() masks the token in the URL and the bearer in the headers", () => {
  const withKey = redactRequest(
    buildSamplingRequest(VALID, { auth: { apiKey: SPECIAL } }),
  );
  assert(withKey.url.endsWith(`/sampling?token=${REDACTED}`), withKey.url);
  const withBearer = redactRequest(
    buildSamplingRequest(VALID, { auth: { bearerToken: SPECIAL } }),
  );
  assertEquals(withBearer.headers["Authorization"], `Bearer ${REDACTED}`);
});

// ------------------------------------------------------- redact helpers

Deno.test("redactUrl() masks token-like query values and nothing else", () => {
  const cases: [string, string][] = [
    ["https://h/x?token=abc", `https://h/x?token=${REDACTED}`],
    ["https://h/x?token=abc&b=1", `https://h/x?token=${REDACTED}&b=1`],
    ["https://h/x?a=1&token=abc#f", `https://h/x?a=1&token=${REDACTED}#f`],
    ["https://h/x?TOKEN=abc", `https://h/x?TOKEN=${REDACTED}`],
    ["https://h/x?access_token=abc", `https://h/x?access_token=${REDACTED}`],
    [
      "https://h/x?api_key=abc&apikey=d",
      `https://h/x?api_key=${REDACTED}&apikey=${REDACTED}`,
    ],
    ["https://h/x?token=", `https://h/x?token=${REDACTED}`],
    ["https://h/x?token=a%2Fb%3D", `https://h/x?token=${REDACTED}`],
    ["https://h/x?mytoken=abc", "https://h/x?mytoken=abc"],
    ["https://h/token=abc", "https://h/token=abc"],
    ["https://h/x?a=1", "https://h/x?a=1"],
    [
      "see http://h/?token=abc and http://g/?token=def",
      `see http://h/?token=${REDACTED} and http://g/?token=${REDACTED}`,
    ],
  ];
  for (const [input, expected] of cases) {
    assertEquals(redactUrl(input), expected, input);
  }
});

Deno.test("redactHeaders() masks credentials and cookies and returns a copy", () => {
  const headers = Object.freeze({
    "Authorization": `Bearer ${SENTINEL}`,
    "proxy-authorization": `Basic ${SENTINEL}`,
    "Cookie": `session=${SENTINEL}`,
    "Set-Cookie": `a=${SENTINEL}`,
    "X-Api-Key": SENTINEL,
    "X-Auth-Token": SENTINEL,
    "X-Client-Secret": SENTINEL,
    "X-Password": SENTINEL,
    "Accept": "application/json",
    "User-Agent": "ua",
  });
  const out = redactHeaders(headers);
  assertEquals(out, {
    "Authorization": `Bearer ${REDACTED}`,
    "proxy-authorization": REDACTED,
    "Cookie": REDACTED,
    "Set-Cookie": REDACTED,
    "X-Api-Key": REDACTED,
    "X-Auth-Token": REDACTED,
    "X-Client-Secret": REDACTED,
    "X-Password": REDACTED,
    "Accept": "application/json",
    "User-Agent": "ua",
  });
  assertEquals(headers["Authorization"], `Bearer ${SENTINEL}`);
});

Deno.test("redactText() masks listed secrets in every form, token= values and Bearer credentials", () => {
  assertEquals(
    redactText(`a ${SENTINEL} b ${SENTINEL}`, [SENTINEL]),
    `a ${REDACTED} b ${REDACTED}`,
  );
  assertEquals(
    redactText(`x ${encodeURIComponent(SPECIAL)} y`, [SPECIAL]),
    `x ${REDACTED} y`,
  );
  const strict = encodeURIComponent(SPECIAL).replace(
    /[!'()*~]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
  );
  assertEquals(redactText(`x ${strict} y`, [SPECIAL]), `x ${REDACTED} y`);
  assertEquals(
    redactText(`x ${new URLSearchParams({ t: SPECIAL }).toString().slice(2)}`, [
      SPECIAL,
    ]),
    `x ${REDACTED}`,
  );
  assertEquals(
    redactText("GET http://h/?token=zzz failed"),
    `GET http://h/?token=${REDACTED} failed`,
  );
  assertEquals(
    redactText("header Authorization: Bearer eyJ.abc.def, then"),
    `header Authorization: Bearer ${REDACTED}, then`,
  );
  assertEquals(redactText("nothing secret", ["", "zzz"]), "nothing secret");
});

Deno.test("secretsOf() finds the token as sent and decoded, and the bearer credential", () => {
  const request = buildSamplingRequest(VALID, { auth: { apiKey: SPECIAL } });
  const secrets = secretsOf(request.url, request.headers);
  assert(secrets.includes(SPECIAL), Deno.inspect(secrets));
  const bearer = buildSamplingRequest(VALID, {
    auth: { bearerToken: SPECIAL },
  });
  assert(secretsOf(bearer.url, bearer.headers).includes(SPECIAL));
});

Deno.test("the API key never reaches the URL in a form redactUrl() cannot mask", () => {
  const request = buildSamplingRequest(VALID, { auth: { apiKey: SPECIAL } });
  assertNoSecret(redactUrl(request.url), ["QZX"], "redactUrl");
  assertEquals(new URL(request.url).searchParams.get("token"), SPECIAL);
});

// ------------------------------------- echoed secrets, escaped and cut

/**
 * A credential holding every character JSON and HTML escape (`& < > " ' \`)
 * and a few URL-special ones, so each escaped echo differs from the raw key.
 */
const ESCAPY = `Qz7&Kp<Ye>Ws"Vd'Nb\\Mc/Lr%Xt+Hu=Gj9`;

/** The three ways a credential travels: `?token=`, a bearer header, an extra secret header. */
const ESCAPY_CLIENTS: [string, ClientOptions][] = [
  ["an API key", { auth: { apiKey: ESCAPY } }],
  ["a bearer token", { auth: { bearerToken: ESCAPY } }],
  ["an X-Api-Key header", { headers: { "X-Api-Key": ESCAPY } }],
];

/** The forms in which a server may echo a secret. */
const ECHOES: [string, (s: string) => string][] = [
  ["raw", (s) => s],
  ["JSON-escaped", (s) => JSON.stringify(s).slice(1, -1)],
  ["JSON-escaped as \\u00XX", (s) =>
    s.replace(
      /[&<>"'\\]/g,
      (c) => "\\u00" + c.charCodeAt(0).toString(16).padStart(2, "0"),
    )],
  ["HTML-escaped", escapeHtml],
  ["percent-encoded", encodeURIComponent],
];

/** Fails when `text` holds any 8-character piece of `secret`, in any echo form. */
function assertNoFragment(text: string, secret: string, what: string): void {
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    for (const [form, echo] of ECHOES) {
      const shown = echo(piece);
      if (text.includes(shown)) {
        throw new Error(
          `${what} leaks the ${form} fragment ${
            JSON.stringify(shown)
          }:\n${text}`,
        );
      }
    }
  }
}

/** An in-process `fetch` answering `"METHOD /path"` routes; others get 404. */
function api(routes: Record<string, () => Response>): typeof fetch {
  return ((input: string, init?: RequestInit) => {
    const key = `${init?.method ?? "GET"} ${new URL(input).pathname}`;
    const route = routes[key];
    return Promise.resolve(
      route ? route() : json({ code: "NOT_FOUND", error: key }, 404),
    );
  }) as typeof fetch;
}

Deno.test("an echoed credential straddling the 200-character snippet cut leaves no fragment in any error surface, in any escaped form", async () => {
  for (const [label, client] of ESCAPY_CLIENTS) {
    for (const [form, echo] of ECHOES) {
      const echoed = echo(ESCAPY);
      // Every offset at full scale (CI's test:scale), every third in the quick suite.
      const step = FULL_SCALE ? 1 : 3;
      for (
        let offset = 0;
        offset <= Math.min(echoed.length, 200);
        offset += step
      ) {
        const body = `${".".repeat(200 - offset)}${echoed} was rejected`;
        const fetch = () =>
          Promise.resolve(
            new Response(body, {
              status: 502,
              headers: { "content-type": "text/html" },
            }),
          );
        const what = `${label} echoed ${form} at offset ${offset}`;
        const read = await rejection(getJobStatus(JOB, { ...client, fetch }));
        if (!isLightlyError(read, "unexpected-response")) {
          throw new Error(`got ${read}`);
        }
        assertNoFragment(surfaces(read), ESCAPY, `getJobStatus(): ${what}`);
        // The cut keeps a marker whole: no "[REDAC…" at the end.
        const cut = read.bodySnippet!.replace(/…$/, "");
        for (let n = 1; n < REDACTED.length; n++) {
          assert(!cut.endsWith(REDACTED.slice(0, n)), `${what}: ${cut}`);
        }
        const post = await rejection(
          triggerSampling(VALID, { ...client, fetch, retry: false }),
        );
        assertNoFragment(surfaces(post), ESCAPY, `triggerSampling(): ${what}`);
      }
    }
  }
});

/** A job status echoing `echoed` in its text, in a nested field and in a key. */
function echoingJob(
  status: string,
  echoed: string,
  extra: Partial<JobStatusData> = {},
): JobStatusData {
  return jobData(status, {
    error: `token ${echoed} is not allowed`,
    details: { [`key ${echoed}`]: [{ note: `seen ${echoed}` }] },
    ...extra,
  });
}

/** A value nested `depth` levels deep, with `leaf` at the bottom. */
function nested(depth: number, leaf: string): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = { inner: value };
  return value;
}

const JOB_SCENARIOS: [
  string,
  (
    client: ClientOptions,
    echoed: string,
  ) => Promise<unknown>,
  (error: unknown) => boolean,
][] = [
  [
    "a FAILED job's error text and fields (SamplingJobFailedError)",
    (client, echoed) =>
      waitForJob(JOB, {
        ...client,
        clock: fakeClock(),
        fetch: api({
          [`GET ${PATHS.job}`]: () => json(echoingJob("FAILED", echoed)),
        }),
      }),
    (e: unknown) => isLightlyError(e, "job-failed"),
  ],
  [
    "the last status of a job that outlives the deadline (JobDeadlineError)",
    (client, echoed) =>
      waitForJob(JOB, {
        ...client,
        clock: fakeClock(),
        timeoutMs: 5_000,
        fetch: api({
          [`GET ${PATHS.job}`]: () =>
            json(echoingJob(`WAITING ${echoed}`, echoed)),
        }),
      }),
    (e: unknown) => isLightlyError(e, "deadline"),
  ],
  [
    "the last status kept by a wait whose polls fail (PollFailedError)",
    (client, echoed) => {
      let polls = 0;
      return waitForJob(JOB, {
        ...client,
        clock: fakeClock(),
        maxConsecutiveFailures: 1,
        fetch: api({
          [`GET ${PATHS.job}`]: () =>
            polls++ === 0
              ? json(echoingJob("RUNNING", echoed))
              : json({ code: "DOWN", error: `down ${echoed}` }, 503),
        }),
      });
    },
    (e: unknown) => isLightlyError(e, "poll-failed"),
  ],
  [
    "a FINISHED job whose result.data is the echo (JobResultMissingError)",
    (client, echoed) =>
      waitForJob(JOB, {
        ...client,
        clock: fakeClock(),
        fetch: api({
          [`GET ${PATHS.job}`]: () =>
            json(echoingJob("FINISHED", echoed, {
              result: { type: "SAMPLING", data: echoed },
            })),
        }),
      }),
    (e: unknown) => isLightlyError(e, "job-result-missing"),
  ],
  [
    "a FAILED job followed by selectSamples() (SelectionStepError)",
    (client, echoed) =>
      selectSamples({
        datasetId: DATASET,
        embeddingId: EMBEDDING,
        body: { newTagName: "coreset-100", method: "CORESET", config: {} },
      }, {
        ...client,
        clock: fakeClock(),
        fetch: api({
          [`GET ${PATHS.tags}`]: () =>
            json([tagData("initial-tag", INITIAL_TAG)]),
          [`POST ${PATHS.sampling(EMBEDDING)}`]: () => json({ jobId: JOB }),
          [`GET ${PATHS.job}`]: () => json(echoingJob("FAILED", echoed)),
        }),
      }),
    (e: unknown) => isLightlyError(e, "workflow"),
  ],
  [
    "an embedding id that selectSamples() would put into the POST's path (SelectionStepError)",
    (client, echoed) =>
      selectSamples({
        datasetId: DATASET,
        body: { newTagName: "coreset-100", method: "CORESET", config: {} },
      }, {
        ...client,
        clock: fakeClock(),
        fetch: api({
          [`GET ${PATHS.embeddings}`]: () =>
            json([{ id: echoed, name: "e", isProcessed: true, createdAt: 1 }]),
          [`GET ${PATHS.tags}`]: () =>
            json([tagData("initial-tag", INITIAL_TAG)]),
        }),
      }),
    (e: unknown) => isLightlyError(e, "workflow"),
  ],
];

for (const [name, scenario, isExpected] of JOB_SCENARIOS) {
  Deno.test(`job errors keep a credential the server echoes out of ${name}`, async () => {
    for (const [label, client] of ESCAPY_CLIENTS) {
      for (const [form, echo] of ECHOES) {
        const error = await rejection(scenario(client, echo(ESCAPY)));
        assert(isExpected(error), `${label}, ${form}: got ${error}`);
        assertNoFragment(surfaces(error), ESCAPY, `${label} echoed ${form}`);
      }
    }
  });
}

Deno.test("job errors mask secrets in server JSON nested beyond any sane depth, without overflowing the stack", async () => {
  for (const [label, client] of ESCAPY_CLIENTS) {
    const error = await rejection(waitForJob(JOB, {
      ...client,
      clock: fakeClock(),
      fetch: api({
        [`GET ${PATHS.job}`]: () =>
          json(jobData("FAILED", {
            shallow: nested(20, ESCAPY),
            deep: nested(5_000, ESCAPY),
          })),
      }),
    }));
    if (!isLightlyError(error, "job-failed")) throw new Error(`got ${error}`);
    assertNoFragment(surfaces(error), ESCAPY, label);
    assertNoFragment(JSON.stringify(error.job), ESCAPY, `${label}: .job`);
    assertStringIncludes(JSON.stringify(error.job), REDACTED);
    assertStringIncludes(JSON.stringify(error.job), "[TRUNCATED]");
  }
});

Deno.test("redactText() masks a secret JSON-escaped inside HTML, escaped twice, and with hex digits in either case", () => {
  const secret = `a"b\\c/d&e`;
  const echoes = [
    `a\\&quot;b\\\\c/d&amp;e`, // JSON, then HTML
    `a\\\\\\"b\\\\\\\\c/d&e`, // JSON twice
    `a%2522b%255Cc%252Fd%2526e`, // percent-encoded twice
    `a\\u0022b\\u005Cc\\u002fd\\u0026e`, // \u00XX, mixed case
    `a&#X22;b&#92;c&#x2F;d&AMP;e`, // HTML entities, any case
  ];
  for (const echo of echoes) {
    assertEquals(redactText(`<${echo}>`, [secret]), `<${REDACTED}>`, echo);
  }
  // Letters of the secret itself still match exactly: no over-masking.
  assertEquals(createRedactor(["abc"]).mask("ABC abc"), `ABC ${REDACTED}`);
  assertEquals(
    createRedactor(["zz"]).mask(`?token="$LIGHTLY_TOKEN"`),
    `?token="$LIGHTLY_TOKEN"`,
  );
});

Deno.test("redactText() masks any 8 consecutive characters of a secret, as written or escaped once or twice, and leaves shorter runs", () => {
  const key = "aaaaaaaaaaaaaaaaaa"; // the counterexample the property found
  assertEquals(redactText("got aaaaaaa!", [key]), "got aaaaaaa!");
  assertEquals(redactText("got aaaaaaaa!", [key]), `got ${REDACTED}!`);
  const secret = `Qz7&Kp<Ye>Ws"Vd'Nb\\Mc/Lr%Xt+Hu=Gj9`;
  const escapes: ((s: string) => string)[] = [
    (s) => s,
    encodeURIComponent,
    (s) => JSON.stringify(s).slice(1, -1),
    escapeHtml,
    (s) => encodeURIComponent(encodeURIComponent(s)),
    (s) => JSON.stringify(escapeHtml(s)).slice(1, -1),
    (s) => escapeHtml(JSON.stringify(s).slice(1, -1)),
  ];
  const redactor = createRedactor([secret]);
  for (let from = 0; from + 8 <= secret.length; from += 3) {
    const piece = secret.slice(from, from + 8);
    for (const escape of escapes) {
      const text = `before ${escape(piece)} after`;
      assertEquals(redactor.text(text), `before ${REDACTED} after`, text);
      assertEquals(redactText(text, [secret]), `before ${REDACTED} after`);
    }
    const short = secret.slice(from, from + 7);
    assert(redactor.mask(` ${short} `).includes(short), short);
  }
});

Deno.test("redactSnippet() masks before it cuts and never cuts a marker in two", () => {
  const secret = "s3cret-key";
  for (let pad = 180; pad <= 200; pad++) {
    const text = `${"x".repeat(pad)}${secret}\nmore`;
    const snippet = redactSnippet(text, [secret], 200);
    assert(!snippet.includes("s3cret") && !snippet.includes("key"), snippet);
    const cut = snippet.replace(/…$/, "");
    for (let n = 1; n < REDACTED.length; n++) {
      assert(!cut.endsWith(REDACTED.slice(0, n)), snippet);
    }
  }
  assertEquals(redactSnippet("a\u0000b\n c", []), "a b  c");
  assertEquals(redactSnippet("abcdef", [], 3), "abc…");
});

Deno.test("a redactor's value() masks keys and values deep in a copy, survives cycles and extreme depth, and keeps __proto__ a plain key", () => {
  const cyclic: Record<string, unknown> = { note: "k3y-k3y-k3y" };
  cyclic.self = cyclic;
  const out = createRedactor(["k3y-k3y-k3y"]).value(cyclic) as Record<
    string,
    unknown
  >;
  assertEquals(out.note, REDACTED);
  assert(!JSON.stringify(out).includes("k3y"));
  assertEquals(cyclic.note, "k3y-k3y-k3y"); // the input is not changed

  const deep = JSON.parse(
    "[".repeat(100_000) + '"k3y-k3y-k3y"' + "]".repeat(100_000),
  );
  assert(
    !JSON.stringify(createRedactor(["k3y-k3y-k3y"]).value(deep)).includes(
      "k3y",
    ),
  );

  const hostile = JSON.parse(
    '{"__proto__": {"polluted": "k3y-k3y-k3y"}, "k3y-k3y-k3y": [1, null, true]}',
  );
  const copy = createRedactor(["k3y-k3y-k3y"]).value(hostile) as Record<
    string,
    unknown
  >;
  assertEquals(Object.getPrototypeOf(copy), Object.prototype);
  assertEquals(Object.keys(copy), ["__proto__", REDACTED]);
  assertEquals(copy[REDACTED], [1, null, true]);
});

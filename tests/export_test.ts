import {
  assert,
  assertEquals,
  assertFalse,
  assertRejects,
  assertThrows,
} from "@std/assert";
import {
  type ExportOptions,
  exportTagFilenames,
  exportTagFileRecords,
  findTagByName,
  getEmbeddings2d,
  isLightlyError,
  type TagFileRecord,
} from "../mod.ts";
import { MAX_BODY_BYTES } from "../lib/core/http.ts";
import { type LightlyStub, startLightlyStub } from "../testing.ts";
import { FULL_SCALE } from "./_scale.ts";
import { fakeClock } from "./_clock.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const SENTINEL = "SENTINEL-export-t0ken-must-not-leak";
const SIZES = [1, 4_999, 5_000, 5_001, 100_000];
/** Tags on either side of page size 7's boundaries (an exactly full last page included). */
const SMALL_SIZES = [6, 7, 8, 14];

/** The stub's documented file name of sample `i` (written out, not imported). */
function nameOf(i: number): string {
  return `images/${String(Math.floor(i / 1000)).padStart(4, "0")}/sample-${
    String(i).padStart(7, "0")
  }.jpg`;
}

/** `count` sample indices spread over `[0, total)`, ascending. */
function spread(count: number, total: number): number[] {
  return Array.from({ length: count }, (_, k) => Math.floor(k * total / count));
}

/** A 100 000-sample dataset with tags of every size under test. */
function sizedStub(): { stub: LightlyStub; tags: Map<number, string> } {
  const stub = startLightlyStub({
    token: SENTINEL,
    datasets: [{
      sampleCount: 100_000,
      tags: [...SMALL_SIZES, ...SIZES.slice(0, -1)].map((n) => ({
        name: `size-${n}`,
        samples: spread(n, 100_000),
      })),
    }],
  });
  const tags = new Map<number, string>([[100_000, stub.initialTagId]]);
  for (const tag of stub.datasets()[0].tags) {
    const n = /^size-(\d+)$/.exec(tag.name)?.[1];
    if (n) tags.set(Number(n), tag.id);
  }
  return { stub, tags };
}

function options(stub: LightlyStub, extra: ExportOptions = {}): ExportOptions {
  return {
    baseUrl: stub.url,
    auth: { apiKey: stub.token },
    clock: fakeClock(),
    ...extra,
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The names of the tag of `size` samples: spread over 100 000, or all of a smaller dataset. */
function expected(size: number): string[] {
  const sized = SIZES.includes(size) || SMALL_SIZES.includes(size);
  return spread(size, sized ? 100_000 : size).map(nameOf);
}

for (const pageSize of [5_000, 7, 1]) {
  Deno.test(`exportTagFilenames() yields exactly totSize unique entries in sample order at page size ${pageSize}`, async () => {
    const { stub, tags } = sizedStub();
    await using _ = stub;
    // The quick suite reads the sizes that take at most 20 requests, still
    // crossing every page boundary (a short last page, an exactly full one,
    // one over); the full scale reads them all, 100 001 requests included.
    const sizes = [...SIZES, ...SMALL_SIZES].filter((s) =>
      FULL_SCALE || Math.floor(s / pageSize) + 1 <= 20
    );
    for (const size of sizes) {
      stub.requests.length = 0;
      const got = await collect(
        exportTagFilenames(stub.datasetId, tags.get(size)!, {
          ...options(stub),
          pageSize,
          fetch: stub.fetch, // in process: the pages, not the sockets, are under test
        }),
      );
      assertEquals(got.length, size, `tag of ${size} at page size ${pageSize}`);
      assertEquals(new Set(got).size, size);
      assertEquals(got, expected(size));
      // Lightly's stopping rule: an empty page, or one shorter than pageSize.
      assertEquals(stub.requests.length, Math.floor(size / pageSize) + 1);
      assert(stub.requests.every((r) => r.status === 200));
    }
  });
}

Deno.test("exportTagFileRecords() fetches each page in the three formats before the next, and they agree", async () => {
  const { stub, tags } = sizedStub();
  await using _ = stub;
  await using small = startLightlyStub({ datasets: [{ sampleCount: 100 }] });
  const runs = [
    { on: stub, tagId: tags.get(5_001)!, size: 5_001, pageSize: 5_000 },
    { on: stub, tagId: tags.get(4_999)!, size: 4_999, pageSize: 5_000 },
    { on: stub, tagId: tags.get(1)!, size: 1, pageSize: 7 },
    { on: small, tagId: small.initialTagId, size: 100, pageSize: 7 },
  ];
  for (const { on, tagId, size, pageSize } of runs) {
    on.requests.length = 0;
    const records = await collect(
      exportTagFileRecords(on.datasetId, tagId, {
        ...options(on),
        pageSize,
        expiresIn: 600,
      }),
    );
    assertEquals(records.map((r: TagFileRecord) => r.fileName), expected(size));
    for (const r of records) {
      assert(r.datasourceUrl.endsWith(`/${r.fileName}`), r.datasourceUrl);
      assert(r.readUrl.includes(`/${r.fileName}?`), r.readUrl);
      assert(r.readUrl.includes("X-Amz-Expires=600"), r.readUrl);
    }
    // Page-aligned: the three formats of one offset, then the next offset.
    const pages = Math.floor(size / pageSize) + 1;
    const order = on.requests.map((r) =>
      `${r.query.pageOffset}:${r.query.fileNameFormat}`
    );
    assertEquals(
      order,
      Array.from({ length: pages }, (_, p) => p * pageSize).flatMap((o) => [
        `${o}:NAME`,
        `${o}:REDIRECTED_READ_URL`,
        `${o}:DATASOURCE_FULL`,
      ]),
    );
  }
});

for (
  const fault of [
    { kind: "status", status: 503, retryAfter: "1" },
    { kind: "drop" },
    { kind: "truncated" },
    { kind: "status", status: 502, body: "html" },
  ] as const
) {
  Deno.test(
    `exportTagFilenames() retries a ${fault.kind}${
      "status" in fault ? ` ${fault.status}` : ""
    } on page 3 and neither duplicates nor skips an entry`,
    async () => {
      await using stub = startLightlyStub({ datasets: [{ sampleCount: 40 }] });
      stub.addFault({ route: "export", nth: [3, 4], fault });
      const clock = fakeClock();
      const got = await collect(
        exportTagFilenames(stub.datasetId, stub.initialTagId, {
          ...options(stub),
          pageSize: 7,
          clock,
        }),
      );
      assertEquals(got, spread(40, 40).map(nameOf));
      const offsets = stub.requests.map((r) => Number(r.query.pageOffset));
      // A drop on a warm connection may be answered by fetch's own resend.
      assertEquals([...new Set(offsets)], [0, 7, 14, 21, 28, 35]);
      assertEquals(offsets.filter((o) => o !== 14).length, 5);
      assert(clock.sleeps.length >= 1, "the retry waited the backoff");
      if (fault.kind === "status" && fault.status === 503) {
        assert(clock.sleeps.every((ms) => ms >= 1000), "Retry-After honoured");
      }
    },
  );
}

Deno.test("exportTagFilenames() gives up after maxConsecutiveFailures with the last failure, leaking neither token nor read URL", async () => {
  await using stub = startLightlyStub({
    token: SENTINEL,
    datasets: [{ sampleCount: 20 }],
  });
  const [first] = await collect(
    exportTagFileRecords(stub.datasetId, stub.initialTagId, options(stub)),
  ).then((r) => r.slice(0, 1));
  const signature = /X-Amz-Signature=([0-9a-f]{32})/.exec(first.readUrl)![1];
  stub.requests.length = 0;
  stub.addFault({
    route: "export",
    nth: [2, 3, 4],
    fault: { kind: "status", status: 503, body: "empty" },
  });
  const error = await assertRejects(() =>
    collect(
      exportTagFilenames(stub.datasetId, stub.initialTagId, {
        ...options(stub),
        fileNameFormat: "REDIRECTED_READ_URL",
        pageSize: 10,
        maxConsecutiveFailures: 3,
      }),
    )
  );
  assert(isLightlyError(error, "unexpected-response"));
  assertEquals(error.status, 503);
  assertEquals(stub.requests.length, 4);
  for (
    const text of [
      error.message,
      error.stack ?? "",
      JSON.stringify(error),
      Deno.inspect(error, { depth: 10 }),
      JSON.stringify(stub.requests),
    ]
  ) {
    assertFalse(text.includes(SENTINEL), text);
    assertFalse(text.includes(signature), text);
  }
});

/** A fetch that rewrites the body of answers matching `format`. */
function rewriting(
  format: string,
  rewrite: (text: string) => { body: string; type?: string },
): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!String(input).includes(`fileNameFormat=${format}`)) return response;
    const { body, type } = rewrite(await response.text());
    return new Response(body, {
      status: response.status,
      headers: { "content-type": type ?? "text/plain" },
    });
  };
}

Deno.test("the export's unreadable-page errors hold no read URL, token or body snippet", async () => {
  await using stub = startLightlyStub({
    token: SENTINEL,
    datasets: [{ sampleCount: 9 }],
  });
  const { readUrl } = (await collect(
    exportTagFileRecords(stub.datasetId, stub.initialTagId, options(stub)),
  ))[0];
  const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(readUrl)![1];
  const cases: [string, (t: string) => { body: string; type?: string }][] = [
    // the three formats disagree
    [
      "REDIRECTED_READ_URL",
      (t) => ({ body: t.split("\n").slice(1).join("\n") }),
    ],
    // broken JSON (retried, then given up)
    ["REDIRECTED_READ_URL", (t) => ({
      body: JSON.stringify(t).slice(0, -2),
      type: "application/json",
    })],
    // JSON of another shape
    ["REDIRECTED_READ_URL", (t) => ({
      body: JSON.stringify({ urls: t.split("\n") }),
      type: "application/json",
    })],
    // more entries than pageSize
    ["REDIRECTED_READ_URL", (t) => ({ body: `${t}\n${t}` })],
  ];
  for (const [format, rewrite] of cases) {
    const error = await assertRejects(() =>
      collect(
        exportTagFileRecords(stub.datasetId, stub.initialTagId, {
          ...options(stub),
          pageSize: 9,
          maxConsecutiveFailures: 2,
          fetch: rewriting(format, rewrite),
        }),
      )
    );
    assert(isLightlyError(error, "unexpected-response"), String(error));
    assertEquals(error.bodySnippet, undefined);
    for (
      const text of [
        error.message,
        error.stack ?? "",
        JSON.stringify(error),
        Deno.inspect(error, { depth: 10 }),
      ]
    ) {
      assertFalse(text.includes(signature), text);
      assertFalse(text.includes(SENTINEL), text);
    }
  }
  assertFalse(JSON.stringify(stub.requests).includes(signature));
  assertFalse(JSON.stringify(stub.requests).includes(SENTINEL));
});

Deno.test("exportTagFilenames() reads a page sent as a JSON string, a JSON list, or CRLF lines", async () => {
  await using stub = startLightlyStub({ datasets: [{ sampleCount: 5 }] });
  const want = spread(5, 5).map(nameOf);
  const variants: ((t: string) => { body: string; type?: string })[] = [
    (t) => ({ body: JSON.stringify(t), type: "application/json" }),
    (t) => ({
      body: JSON.stringify(t === "" ? [] : t.split("\n")),
      type: "application/json; charset=utf-8",
    }),
    (t) => ({ body: t === "" ? "" : t.replaceAll("\n", "\r\n") + "\r\n" }),
  ];
  for (const rewrite of variants) {
    const got = await collect(
      exportTagFilenames(stub.datasetId, stub.initialTagId, {
        ...options(stub),
        pageSize: 2,
        fetch: rewriting("NAME", rewrite),
      }),
    );
    assertEquals(got, want);
  }
});

Deno.test("exportTagFilenames() refuses bad ids and options when called, naming each, before sending", async () => {
  await using stub = startLightlyStub();
  const idError = assertThrows(() =>
    exportTagFilenames("nope", "Z".repeat(24), options(stub))
  );
  assert(isLightlyError(idError, "validation"));
  assertEquals(idError.issues.map((i: { path: string }) => i.path), [
    "datasetId",
    "tagId",
  ]);
  const optionError = assertThrows(() =>
    exportTagFilenames(stub.datasetId, stub.initialTagId, {
      ...options(stub),
      pageSize: 0,
      expiresIn: 1.5,
      fileNameFormat: "URL" as never,
      accessControl: 3 as never,
      maxConsecutiveFailures: 0,
      onPage: "yes" as never,
    })
  );
  assert(isLightlyError(optionError, "validation"));
  assertEquals(optionError.issues.map((i: { path: string }) => i.path).sort(), [
    "options.accessControl",
    "options.expiresIn",
    "options.fileNameFormat",
    "options.maxConsecutiveFailures",
    "options.onPage",
    "options.pageSize",
  ]);
  assertThrows(
    () =>
      exportTagFileRecords(stub.datasetId, stub.initialTagId, {
        baseUrl: "ftp://x",
      }),
    Error,
    "baseUrl",
  );
  assertEquals(stub.requests.length, 0);
});

Deno.test("exportTagFilenames() stops between pages when the signal aborts, and sends nothing more", async () => {
  await using stub = startLightlyStub({ datasets: [{ sampleCount: 30 }] });
  const controller = new AbortController();
  const got: string[] = [];
  const error = await assertRejects(async () => {
    for await (
      const name of exportTagFilenames(stub.datasetId, stub.initialTagId, {
        ...options(stub),
        pageSize: 10,
        signal: controller.signal,
        onPage: ({ page }) => {
          if (page === 1) controller.abort();
        },
      })
    ) got.push(name);
  });
  assert(isLightlyError(error, "aborted"));
  assertEquals(got.length, 20, "the page read before the abort is yielded");
  assertEquals(stub.requests.length, 2);
});

Deno.test("exportTagFilenames() stops mid-page when the signal aborts during a request", async () => {
  await using stub = startLightlyStub({ datasets: [{ sampleCount: 30 }] });
  const controller = new AbortController();
  let calls = 0;
  const error = await assertRejects(() =>
    collect(
      exportTagFilenames(stub.datasetId, stub.initialTagId, {
        ...options(stub),
        pageSize: 10,
        signal: controller.signal,
        fetch: (input, init) => {
          const pending = fetch(input, init);
          if (++calls === 2) controller.abort();
          return pending;
        },
      }),
    )
  );
  assert(isLightlyError(error, "aborted"));
  assertEquals(calls, 2);
});

Deno.test("exportTagFilenames() fails at once on a 404 TAG_UNKNOWN", async () => {
  await using stub = startLightlyStub();
  const error = await assertRejects(() =>
    collect(
      exportTagFilenames(
        stub.datasetId,
        "0123456789abcdef01234567",
        options(stub),
      ),
    )
  );
  assert(isLightlyError(error, "api"));
  assertEquals(error.code, "TAG_UNKNOWN");
  assertEquals(stub.requests.length, 1);
});

Deno.test("findTagByName() finds a tag by its name, and answers undefined for none", async () => {
  await using stub = startLightlyStub({
    datasets: [{ tags: [{ name: "labelled", samples: [1, 2] }] }],
  });
  const o = options(stub);
  assertEquals(
    (await findTagByName(stub.datasetId, "labelled", o))?.totSize,
    2,
  );
  assertEquals(
    (await findTagByName(stub.datasetId, "initial-tag", o))?.id,
    stub.initialTagId,
  );
  assertEquals(await findTagByName(stub.datasetId, "missing", o), undefined);
  await assertRejects(
    () => findTagByName(stub.datasetId, "", o),
    Error,
    "name",
  );
});

Deno.test("getEmbeddings2d() reads one point per sample, past the 1 MiB cap of other answers", async () => {
  await using stub = startLightlyStub({ datasets: [{ sampleCount: 100_000 }] });
  const [projection, ...rest] = await getEmbeddings2d(
    stub.datasetId,
    stub.embeddingId,
    options(stub),
  );
  assertEquals(rest, []);
  assertEquals(projection.embeddingId, stub.embeddingId);
  assertEquals(projection.dimensionalityReductionMethod, "UMAP");
  assertEquals(projection.coordinatesDimension1?.length, 100_000);
  assertEquals(projection.coordinatesDimension2?.length, 100_000);
  assert(JSON.stringify(projection).length > MAX_BODY_BYTES);
  const error = await assertRejects(() =>
    getEmbeddings2d(stub.datasetId, "0123456789abcdef01234567", options(stub))
  );
  assert(isLightlyError(error, "api"));
  assertEquals(error.code, "EMBEDDING_UNKNOWN");
  const bad = await assertRejects(() =>
    getEmbeddings2d(stub.datasetId, "x", options(stub))
  );
  assert(isLightlyError(bad, "validation"));
});

Deno.test("exportTagFilenames() sends nothing more once the loop breaks", async () => {
  await using stub = startLightlyStub({ datasets: [{ sampleCount: 30 }] });
  const got: string[] = [];
  for await (
    const name of exportTagFilenames(stub.datasetId, stub.initialTagId, {
      ...options(stub),
      pageSize: 10,
    })
  ) {
    got.push(name);
    if (got.length === 13) break;
  }
  assertEquals(got, spread(13, 13).map(nameOf));
  assertEquals(stub.requests.length, 2);
});

/** The initial tag's names, 2 a page. */
function pairs(stub: LightlyStub): AsyncIterableIterator<string> {
  return exportTagFilenames(stub.datasetId, stub.initialTagId, {
    ...options(stub),
    pageSize: 2,
  });
}

Deno.test("exportTagFilenames() ends at return(), even while a page loads, and sends nothing more", async () => {
  await using stub = startLightlyStub({ datasets: [{ sampleCount: 10 }] });
  const entries = pairs(stub);
  const first = entries.next(); // the first page is loading
  await entries.return!();
  await first;
  assertEquals(await entries.next(), { value: undefined, done: true });
  assertEquals(stub.requests.length, 1);
});

Deno.test("exportTagFilenames() hands out entries in order to next() calls made at once", async () => {
  await using stub = startLightlyStub({ datasets: [{ sampleCount: 5 }] });
  const entries = pairs(stub);
  const got = await Promise.all(
    Array.from({ length: 6 }, () => entries.next()),
  );
  assertEquals(
    got.map((r) => r.done ? "done" : r.value),
    [...spread(5, 5).map(nameOf), "done"],
  );
});

Deno.test("exportTagFilenames(): after onPage throws, the page is fetched again and `exported` counts every entry handed out", async () => {
  await using stub = startLightlyStub({ datasets: [{ sampleCount: 4 }] });
  const exported: number[] = [];
  let thrown = false;
  const it = exportTagFilenames(stub.datasetId, stub.initialTagId, {
    ...options(stub),
    pageSize: 2,
    onPage: (p) => {
      exported.push(p.exported);
      if (!thrown) {
        thrown = true;
        throw new Error("hook");
      }
    },
  })[Symbol.asyncIterator]();
  const got: string[] = [];
  await assertRejects(() => it.next(), Error, "hook");
  for (let r = await it.next(); !r.done; r = await it.next()) got.push(r.value);
  // The first page is handed out, then fetched again (its onPage threw before `page` moved on).
  assertEquals(got, [0, 1, 0, 1, 2, 3].map(nameOf));
  assertEquals(exported, [2, 4, 6], "every entry handed out is counted");
});

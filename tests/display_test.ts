import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import {
  buildSamplingRequest,
  getTag,
  type JobProgress,
  type JobStatusData,
  REDACTED,
  type SelectionResult,
  type TagData,
  triggerSampling,
  waitForJob,
  type WaitResult,
} from "../mod.ts";
import {
  displayJob,
  displayRequest,
  displayTag,
  displayTags,
  type JobDisplayInput,
  JUPYTER_DISPLAY,
  type RichDisplay,
} from "../display.ts";
import { escapeHtml } from "../lib/display/notebook.ts";
import { startLightlyStub } from "../testing.ts";
import { SENTINEL, VALID } from "./_server.ts";

// Compile-time: waitForJob's progress events and result, and selectSamples'
// result, are all accepted by displayJob().
function _accepts(
  input: JobProgress | WaitResult | SelectionResult,
): JobDisplayInput {
  return input;
}

const HOSTILE = `<script>alert("x&'y")</script>`;

/** The elements the renderers emit; anything else came from the data. */
const ALLOWED_ELEMENTS = new Set([
  "div",
  "style",
  "table",
  "caption",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "code",
  "span",
  "progress",
  "pre",
]);

function elementsOf(html: string): Set<string> {
  return new Set(
    [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) =>
      m[1].toLowerCase()
    ),
  );
}

function assertSafeHtml(view: RichDisplay, hostile: string): void {
  assert(!view.html.includes(hostile), "the raw value reached the HTML");
  assertStringIncludes(view.html, escapeHtml(hostile));
  for (const element of elementsOf(view.html)) {
    assert(ALLOWED_ELEMENTS.has(element), `unexpected element <${element}>`);
  }
}

function job(overrides: Partial<JobStatusData> = {}): JobStatusData {
  return {
    id: "0123456789abcdef0123456a",
    status: "RUNNING",
    meta: { total: 200, processed: 50 },
    waitTimeTillNextPoll: 1,
    createdAt: Date.UTC(2024, 0, 2, 3, 4, 5),
    ...overrides,
  };
}

function tag(overrides: Partial<TagData> = {}): TagData {
  return {
    id: "0123456789abcdef0123456b",
    datasetId: VALID.datasetId,
    prevTagId: "0123456789abcdef0123456c",
    name: "coreset-100",
    bitMaskData: "0xff",
    totSize: 100,
    createdAt: Date.UTC(2024, 5, 6, 7, 8, 9),
    ...overrides,
  };
}

Deno.test("escapeHtml() replaces &, <, >, double and single quotes", () => {
  assertEquals(
    escapeHtml(`a&b<c>d"e'f`),
    "a&amp;b&lt;c&gt;d&quot;e&#39;f",
  );
  assertEquals(escapeHtml("&amp;"), "&amp;amp;");
  assertEquals(escapeHtml("plain text 123"), "plain text 123");
});

Deno.test("displayJob() shows a running job's processed fraction as a progress bar", () => {
  const view = displayJob(job({ meta: { total: 200, processed: 50 } }));
  assertStringIncludes(view.html, 'data-lightly="job"');
  assertStringIncludes(view.html, '<progress style="width:200px" value="25"');
  assertStringIncludes(view.html, "50/200 (25%)");
  assertStringIncludes(view.html, "2024-01-02T03:04:05.000Z");
  assertEquals(
    view.text,
    "job 0123456789abcdef0123456a RUNNING [#####...............] 50/200 (25%)",
  );
});

Deno.test("displayJob() shows an indeterminate bar while a job has no progress", () => {
  const view = displayJob(job({ status: "WAITING", meta: undefined }));
  assertStringIncludes(view.html, '<progress style="width:200px"></progress>');
  assertStringIncludes(view.text, "WAITING [????????????????????]");
});

Deno.test("displayJob() shows a finished job's new tag and a snapshot's polls and elapsed time", () => {
  const finished = job({
    status: "FINISHED",
    meta: undefined,
    finishedAt: Date.UTC(2024, 0, 2, 3, 5, 0),
    result: { type: "SAMPLING", data: "0123456789abcdef0123456d" },
  });
  const view = displayJob({ job: finished, polls: 7, elapsedMs: 3250 });
  assertStringIncludes(view.html, 'value="100" max="100"');
  assertStringIncludes(view.html, "<code>0123456789abcdef0123456d</code>");
  assertStringIncludes(view.html, "<th>Polls</th><td>7</td>");
  assertStringIncludes(view.html, "<th>Elapsed</th><td>3.3 s</td>");
  assertStringIncludes(view.text, "result: SAMPLING 0123456789abcdef0123456d");
  assertStringIncludes(view.text, "polls: 7, elapsed: 3.3 s");
});

Deno.test("displayJob() clamps progress the server over-reports", () => {
  const view = displayJob(job({ meta: { total: 10, processed: 25 } }));
  assertStringIncludes(view.html, 'value="100"');
  assertStringIncludes(view.text, "[####################] 25/10 (100%)");
});

Deno.test("displayJob() escapes every server value: id, status, error, result, dataset", () => {
  for (
    const overrides of [
      { id: HOSTILE },
      { status: HOSTILE },
      { error: HOSTILE, status: "FAILED" },
      { result: { type: HOSTILE, data: "x" } },
      { result: { type: "SAMPLING", data: HOSTILE } },
      { datasetId: HOSTILE },
    ] satisfies Partial<JobStatusData>[]
  ) {
    assertSafeHtml(displayJob(job(overrides)), HOSTILE);
  }
});

Deno.test("displayJob() gives an unknown status, even 'constructor', the neutral colour", () => {
  for (const status of ["constructor", "__proto__", "PAUSED"]) {
    const view = displayJob(job({ status }));
    assertStringIncludes(view.html, "background:#6b7280");
  }
  assert(!displayJob(job()).html.includes("background:#6b7280"));
});

Deno.test("displayJob() keeps control characters out of the plain text", () => {
  const view = displayJob(
    job({ error: "bad\u001b[31m red", status: "FAILED" }),
  );
  assert(!view.text.includes("\u001b"));
  assertStringIncludes(view.text, "bad\uFFFD[31m red");
});

Deno.test("displayTag() summarises name, id, samples, origin and creation time", () => {
  const view = displayTag(tag());
  assertStringIncludes(view.html, 'data-lightly="tag"');
  assertStringIncludes(view.html, "<th>Name</th><td>coreset-100</td>");
  assertStringIncludes(view.html, "<th>Samples</th><td>100</td>");
  assertStringIncludes(view.html, "<code>0123456789abcdef0123456c</code>");
  assertStringIncludes(view.html, "2024-06-06T07:08:09.000Z");
  assertEquals(
    view.text,
    [
      "tag coreset-100 (0123456789abcdef0123456b)",
      "  samples: 100",
      "  derived from: 0123456789abcdef0123456c",
      "  created: 2024-06-06T07:08:09.000Z",
    ].join("\n"),
  );
  assertStringIncludes(
    displayTag(tag({ prevTagId: null })).text,
    "initial tag",
  );
});

Deno.test("displayTag() escapes hostile names, ids and quotes", () => {
  for (
    const overrides of [
      { name: HOSTILE },
      { id: HOSTILE },
      { prevTagId: HOSTILE },
      { datasetId: HOSTILE },
      { queryTagId: HOSTILE },
      { preselectedTagId: HOSTILE },
    ] satisfies Partial<TagData>[]
  ) {
    assertSafeHtml(displayTag(tag(overrides)), HOSTILE);
  }
});

Deno.test("displayTag() survives a creation time no Date can hold", () => {
  const view = displayTag(tag({ createdAt: 1e20 }));
  assertStringIncludes(view.html, "100000000000000000000");
});

Deno.test("displayTags() lists every tag in order and escapes them", () => {
  const view = displayTags([
    tag({ name: "initial-tag", prevTagId: null }),
    tag({ name: HOSTILE }),
  ]);
  assertSafeHtml(view, HOSTILE);
  assertStringIncludes(view.html, 'data-lightly="tags"');
  assertEquals(view.text.split("\n").length, 3);
  assert(view.html.indexOf("initial-tag") < view.html.indexOf("&lt;script"));
});

Deno.test("displayRequest() never shows the API key or the bearer token", () => {
  for (
    const auth of [{ apiKey: SENTINEL }, { bearerToken: SENTINEL }] as const
  ) {
    const view = displayRequest(buildSamplingRequest(VALID, { auth }));
    const bundle = view[JUPYTER_DISPLAY]();
    for (
      const output of [
        view.html,
        view.text,
        bundle["text/html"],
        bundle["text/plain"],
        JSON.stringify(view),
        Deno.inspect(view),
        String(view),
      ]
    ) {
      assert(!output.includes(SENTINEL), "a secret was rendered");
    }
    assertStringIncludes(view.html, REDACTED);
    assertStringIncludes(
      view.html,
      "&quot;newTagName&quot;: &quot;coreset-100&quot;",
    );
  }
});

Deno.test("a RichDisplay hands Jupyter its HTML and text, and prints as text", () => {
  const view = displayTag(tag());
  assertEquals(view[JUPYTER_DISPLAY](), {
    "text/html": view.html,
    "text/plain": view.text,
  });
  assertEquals(
    view[JUPYTER_DISPLAY],
    view[Symbol.for("Jupyter.display") as typeof JUPYTER_DISPLAY],
  );
  assertEquals(Deno.inspect(view), view.text);
  assertEquals(`${view}`, view.text);
});

Deno.test("displayJob() follows a real wait: WAITING first, FINISHED last, then the tag", async () => {
  await using stub = startLightlyStub({ runningPolls: 2 });
  const options = { baseUrl: stub.url, auth: { apiKey: stub.token } };
  const { jobId } = await triggerSampling({
    datasetId: stub.datasetId,
    embeddingId: stub.embeddingId,
    body: { newTagName: "display-walk", method: "RANDOM", config: {} },
  }, options);
  const views: RichDisplay[] = [];
  const result = await waitForJob(jobId, {
    ...options,
    minIntervalMs: 0,
    maxIntervalMs: 0,
    onProgress: (progress) => views.push(displayJob(progress)),
  });
  assertEquals(views.length, result.polls);
  assertStringIncludes(views[0].text, `job ${jobId} WAITING`);
  const last = views[views.length - 1];
  assertStringIncludes(last.text, `job ${jobId} FINISHED`);
  assertStringIncludes(last.text, `result: SAMPLING ${result.tagId}`);
  assertStringIncludes(displayJob(result).text, `polls: ${result.polls}`);

  const tag = displayTag(await getTag(stub.datasetId, result.tagId, options));
  assertStringIncludes(tag.html, "<th>Name</th><td>display-walk</td>");
  assertStringIncludes(tag.text, `tag display-walk (${result.tagId})`);
});

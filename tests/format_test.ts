/**
 * Printing requests: formatRequest (for people), redactRequest (for JSON
 * logs) and formatCurl (a command that reads the secret from the
 * environment). The curl output is checked by parsing it the way a POSIX
 * shell would, so quoting mistakes show up as wrong arguments.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  buildSamplingRequest,
  formatCurl,
  formatRequest,
  type LightlyRequest,
  REDACTED,
  redactRequest,
  ValidationError,
} from "../mod.ts";
import { USER_AGENT } from "../lib/core/version.ts";
import { buildGetRequest } from "./_get_request.ts";
import { SENTINEL, VALID } from "./_server.ts";

const PATH =
  `/v1/datasets/${VALID.datasetId}/embeddings/${VALID.embeddingId}/sampling`;
const BODY =
  '{"newTagName":"coreset-100","method":"CORESET","config":{"stoppingCondition":{"nSamples":100,"minDistance":-1}},"rowCount":4000}';

/**
 * Splits a command line into words as `sh` does for the subset formatCurl
 * may use: blanks, backslash-newline, '…', "…" with $NAME, and \x.
 */
function shellWords(command: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const add = (text: string) => word = (word ?? "") + text;
  const variable = (at: number): [string, number] => {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(command.slice(at));
    if (!match) throw new Error(`bad $ at ${at}`);
    if (!(match[0] in env)) throw new Error(`unset variable ${match[0]}`);
    return [env[match[0]], at + match[0].length];
  };
  let i = 0;
  while (i < command.length) {
    const c = command[i];
    if (c === " " || c === "\t" || c === "\n") {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === "\\") {
      if (command[i + 1] !== "\n") add(command[i + 1]);
      i += 2;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error("unterminated '");
      add(command.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      add("");
      i++;
      while (command[i] !== '"') {
        if (i >= command.length) throw new Error('unterminated "');
        if (command[i] === "\\" && '"\\$`'.includes(command[i + 1])) {
          add(command[i + 1]);
          i += 2;
        } else if (command[i] === "$") {
          const [value, next] = variable(i + 1);
          add(value);
          i = next;
        } else if (command[i] === "`") {
          throw new Error("backquote in double quotes");
        } else {
          add(command[i++]);
        }
      }
      i++;
    } else if (c === "$") {
      const [value, next] = variable(i + 1);
      add(value);
      i = next;
    } else if (";&|<>()`".includes(c)) {
      throw new Error(`unquoted shell metacharacter ${c} at ${i}`);
    } else {
      add(c);
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The arguments curl would get for `request`, headers in order. */
function curlArgs(request: LightlyRequest): string[] {
  const args = ["curl", "-X", request.method, request.url];
  for (const [name, value] of Object.entries(request.headers)) {
    args.push("-H", `${name}: ${value}`);
  }
  if (request.body !== undefined) args.push("--data-raw", request.body);
  return args;
}

Deno.test("formatRequest() prints the request line, headers and pretty body, with the token masked", () => {
  const request = buildSamplingRequest(VALID, {
    baseUrl: "http://127.0.0.1:8080/",
    auth: { apiKey: SENTINEL },
  });
  assertEquals(
    formatRequest(request),
    [
      `POST http://127.0.0.1:8080${PATH}?token=${REDACTED}`,
      "Content-Type: application/json",
      "Accept: application/json",
      `User-Agent: ${USER_AGENT}`,
      "",
      "{",
      '  "newTagName": "coreset-100",',
      '  "method": "CORESET",',
      '  "config": {',
      '    "stoppingCondition": {',
      '      "nSamples": 100,',
      '      "minDistance": -1',
      "    }",
      "  },",
      '  "rowCount": 4000',
      "}",
    ].join("\n"),
  );
});

Deno.test("formatRequest() masks a bearer token and prints a GET without a body", () => {
  const request = buildGetRequest("/v1/jobs/0123456789abcdef01234567", {
    auth: { bearerToken: SENTINEL },
  });
  assertEquals(
    formatRequest(request),
    [
      "GET https://api.lightly.ai/v1/jobs/0123456789abcdef01234567",
      "Accept: application/json",
      `User-Agent: ${USER_AGENT}`,
      `Authorization: Bearer ${REDACTED}`,
    ].join("\n"),
  );
});

Deno.test("redactRequest() returns a JSON-safe copy with the body parsed and secrets masked", () => {
  const request = buildSamplingRequest(VALID, {
    auth: { bearerToken: SENTINEL },
    headers: { "X-Trace": "t" },
  });
  const safe = redactRequest(request);
  assertEquals(safe, {
    method: "POST",
    url: `https://api.lightly.ai${PATH}`,
    headers: {
      "Content-Type": "application/json",
      "Accept": "application/json",
      "User-Agent": USER_AGENT,
      "Authorization": `Bearer ${REDACTED}`,
      "X-Trace": "t",
    },
    body: JSON.parse(BODY),
  });
  assertEquals(JSON.parse(JSON.stringify(safe)), safe);
  assert(safe.headers !== request.headers);
  // The request itself is untouched.
  assertEquals(request.headers["Authorization"], `Bearer ${SENTINEL}`);
});

Deno.test("redactRequest() of a GET has no body field", () => {
  const safe = redactRequest(
    buildGetRequest("/v1/jobs/j", { auth: { apiKey: SENTINEL } }),
  );
  assert(!("body" in safe));
  assertEquals(safe.url, `https://api.lightly.ai/v1/jobs/j?token=${REDACTED}`);
  assertEquals(JSON.parse(JSON.stringify(safe)), safe);
});

Deno.test("formatCurl() reads the API key from $LIGHTLY_TOKEN and round-trips through a shell", () => {
  const request = buildSamplingRequest(VALID, {
    baseUrl: "http://127.0.0.1:8080",
    auth: { apiKey: SENTINEL },
  });
  const command = formatCurl(request);
  assert(!command.includes(SENTINEL));
  assertEquals(
    command.split(" \\\n  ")[0],
    `curl -X POST 'http://127.0.0.1:8080${PATH}?token='"$LIGHTLY_TOKEN"`,
  );
  assertEquals(
    shellWords(command, { LIGHTLY_TOKEN: SENTINEL }),
    curlArgs(request),
  );
});

Deno.test("formatCurl() reads a bearer token from $LIGHTLY_JWT", () => {
  const request = buildSamplingRequest(VALID, {
    auth: { bearerToken: SENTINEL },
  });
  const command = formatCurl(request);
  assert(!command.includes(SENTINEL));
  assert(command.includes(`-H "Authorization: Bearer $LIGHTLY_JWT"`), command);
  assertEquals(
    shellWords(command, { LIGHTLY_JWT: SENTINEL }),
    curlArgs(request),
  );
});

Deno.test("formatCurl() uses the environment variable names it is given", () => {
  const withKey = buildSamplingRequest(VALID, { auth: { apiKey: "k" } });
  const bearer = buildSamplingRequest(VALID, { auth: { bearerToken: "j" } });
  const a = formatCurl(withKey, { tokenEnv: "MY_KEY" });
  const b = formatCurl(bearer, { jwtEnv: "_JWT2" });
  assert(a.includes(`"$MY_KEY"`) && !a.includes("LIGHTLY_TOKEN"));
  assert(b.includes("$_JWT2") && !b.includes("LIGHTLY_JWT"));
  assertEquals(shellWords(a, { MY_KEY: "k" }), curlArgs(withKey));
  assertEquals(shellWords(b, { _JWT2: "j" }), curlArgs(bearer));
});

Deno.test("formatCurl() refuses environment variable names that are not plain shell names", () => {
  const request = buildSamplingRequest(VALID, { auth: { apiKey: "k" } });
  for (
    const name of ["", "1ABC", "A-B", 'X"; rm -rf ~; "', "$(id)", "A B", "é"]
  ) {
    const token = assertThrows(
      () => formatCurl(request, { tokenEnv: name }),
      ValidationError,
    ) as ValidationError;
    assertEquals(token.issues.map((i) => i.path), ["options.tokenEnv"]);
    const jwt = assertThrows(
      () => formatCurl(request, { jwtEnv: name }),
      ValidationError,
    ) as ValidationError;
    assertEquals(jwt.issues.map((i) => i.path), ["options.jwtEnv"]);
  }
});

Deno.test("formatCurl() escapes single quotes in header values and URLs", () => {
  const request = buildSamplingRequest(VALID, {
    baseUrl: "http://127.0.0.1:8080/it's",
    headers: { "X-Note": "it's a 'test' $HOME `id` \"q\" \\" },
  });
  const command = formatCurl(request);
  assert(command.includes(`-H 'X-Note: it'\\''s a '\\''test'\\''`), command);
  assertEquals(shellWords(command, {}), curlArgs(request));
});

Deno.test("formatCurl() keeps a query before the token and prints a GET without data", () => {
  const request = buildGetRequest("/v1/datasets/d/tags?limit=5", {
    auth: { apiKey: SENTINEL },
  });
  const command = formatCurl(request);
  assert(!command.includes(SENTINEL));
  assert(!command.includes("--data-raw"));
  assertEquals(
    shellWords(command, { LIGHTLY_TOKEN: SENTINEL }),
    curlArgs(request),
  );
});

Deno.test("formatCurl() without credentials prints the URL as is", () => {
  const request = buildSamplingRequest(VALID);
  const command = formatCurl(request);
  assertEquals(
    command.split(" \\\n  ")[0],
    `curl -X POST 'https://api.lightly.ai${PATH}'`,
  );
  assertEquals(command.split(" \\\n  ").at(-1), `--data-raw '${BODY}'`);
  assertEquals(shellWords(command, {}), curlArgs(request));
});

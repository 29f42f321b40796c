/**
 * A tiny static file server for the URL-import tests: `Deno.serve` on
 * 127.0.0.1, port 0, serving one directory (the repository) read-only.
 *
 * `.ts` goes out as `application/typescript` (what Deno needs to load a
 * remote module as TypeScript). Path traversal is refused: a path segment
 * that is `.`, `..`, hidden (`.git`, `.ci`), or decodes to hold a slash,
 * backslash or NUL gets 403, and so does anything whose real path (symlinks
 * followed) leaves the root.
 */
import { resolve, sep } from "node:path";

const CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  ["ts", "application/typescript; charset=utf-8"],
  ["js", "application/javascript; charset=utf-8"],
  ["mjs", "application/javascript; charset=utf-8"],
  ["json", "application/json; charset=utf-8"],
  ["md", "text/markdown; charset=utf-8"],
]);

/** A running file server. */
export interface FileServer extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:12345`. */
  readonly url: string;
  /** `127.0.0.1:PORT`, the value for `--allow-import`. */
  readonly host: string;
  /** Every path requested, in order, with the status answered. */
  readonly served: { path: string; status: number }[];
  /** Stops the server and waits for it to finish. */
  close(): Promise<void>;
}

/**
 * Maps a request path to a file under `root`, or `undefined` when the path
 * is not acceptable.
 */
function toFilePath(root: string, pathname: string): string | undefined {
  const segments = pathname.split("/").slice(1);
  const decoded: string[] = [];
  for (const raw of segments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === "" || segment.startsWith(".")) return undefined;
    if (/[/\\\0]/.test(segment)) return undefined;
    decoded.push(segment);
  }
  if (decoded.length === 0) return undefined;
  const path = resolve(root, ...decoded);
  return path.startsWith(root + sep) ? path : undefined;
}

/**
 * Serves the files under `root` (an absolute directory path).
 *
 * @param root The directory to serve.
 * @returns The running server; close it (or `await using` it) when done.
 */
export async function serveDirectory(root: string): Promise<FileServer> {
  const realRoot = await Deno.realPath(root);
  const served: { path: string; status: number }[] = [];
  const answer = async (pathname: string): Promise<Response> => {
    const path = toFilePath(realRoot, pathname);
    if (path === undefined) return new Response("forbidden", { status: 403 });
    let real: string;
    try {
      real = await Deno.realPath(path);
    } catch {
      return new Response("not found", { status: 404 });
    }
    if (!real.startsWith(realRoot + sep)) {
      return new Response("forbidden", { status: 403 });
    }
    const info = await Deno.stat(real);
    if (!info.isFile) return new Response("not found", { status: 404 });
    const extension = real.slice(real.lastIndexOf(".") + 1);
    return new Response(await Deno.readFile(real), {
      headers: {
        "content-type": CONTENT_TYPES.get(extension) ??
          "application/octet-stream",
      },
    });
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const pathname = new URL(request.url).pathname;
      const response = request.method === "GET" || request.method === "HEAD"
        ? await answer(pathname)
        : new Response("method not allowed", { status: 405 });
      served.push({ path: pathname, status: response.status });
      return response;
    },
  );
  const close = async () => {
    await server.shutdown();
  };
  const host = `127.0.0.1:${server.addr.port}`;
  return {
    url: `http://${host}`,
    host,
    served,
    close,
    [Symbol.asyncDispose]: close,
  };
}

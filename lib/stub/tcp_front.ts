/**
 * The stub's public socket: a TCP listener that forwards each connection,
 * byte for byte, to the stub's `Deno.serve` server on another loopback port.
 *
 * Why: `Deno.serve` always answers; it has no way to close a connection
 * without sending a response, which is what a "dropped connection" fault
 * must do (the client's `fetch` must fail with no status at all). The
 * handler learns which front connection carried a request from the
 * forwarding socket's port (`info.remoteAddr.port`) and asks the front to
 * close it.
 *
 * @module
 */

/** A running front: its address, and the means to drop a connection or stop. */
export interface TcpFront {
  /** The address it listens on. */
  readonly addr: Deno.NetAddr;
  /**
   * Closes, without a word, the client connection whose forwarding socket
   * has local port `port` (what the handler sees as `info.remoteAddr.port`).
   *
   * @param port The forwarding socket's local port.
   * @returns Whether such a connection was open.
   */
  drop(port: number): boolean;
  /** Stops listening, closes every connection and waits for all forwarding to end. */
  close(): Promise<void>;
}

interface Pair {
  readonly client: Deno.Conn;
  readonly upstream: Deno.Conn;
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* closed already */ }
}

async function pump(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(16 * 1024);
  try {
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) break;
      let offset = 0;
      while (offset < n) offset += await to.write(buffer.subarray(offset, n));
    }
    await to.closeWrite();
  } catch { /* a side was closed: forwarding ends */ }
}

/**
 * Listens on `hostname:port` and forwards every connection to
 * `127.0.0.1:targetPort`.
 *
 * @param listener Where to accept connections (already listening).
 * @param targetPort The port of the server to forward to, on 127.0.0.1.
 * @returns The running front.
 *
 * @example
 * ```ts ignore
 * const front = startTcpFront(Deno.listen({ hostname: "127.0.0.1", port: 0 }), server.addr.port);
 * await front.close();
 * ```
 */
export function startTcpFront(
  listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr>,
  targetPort: number,
): TcpFront {
  const pairs = new Map<number, Pair>();
  const open = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  let closing = false;

  async function forward(client: Deno.Conn): Promise<void> {
    open.add(client);
    let upstream: Deno.Conn | undefined;
    try {
      upstream = await Deno.connect({
        hostname: "127.0.0.1",
        port: targetPort,
      });
    } catch { /* the server is gone: refuse by closing */ }
    if (upstream === undefined || closing) {
      if (upstream) closeQuietly(upstream);
      open.delete(client);
      closeQuietly(client);
      return;
    }
    open.add(upstream);
    const key = (upstream.localAddr as Deno.NetAddr).port;
    pairs.set(key, { client, upstream });
    await Promise.all([pump(client, upstream), pump(upstream, client)]);
    pairs.delete(key);
    open.delete(client);
    open.delete(upstream);
    closeQuietly(client);
    closeQuietly(upstream);
  }

  const accepting = (async () => {
    for (;;) {
      let client: Deno.Conn;
      try {
        client = await listener.accept();
      } catch {
        return; // the listener was closed
      }
      const task = forward(client);
      tasks.add(task);
      task.finally(() => tasks.delete(task));
    }
  })();

  return {
    addr: listener.addr,
    drop(port) {
      const pair = pairs.get(port);
      if (!pair) return false;
      closeQuietly(pair.client);
      closeQuietly(pair.upstream);
      return true;
    },
    async close() {
      closing = true;
      try {
        listener.close();
      } catch { /* closed already */ }
      await accepting;
      for (const conn of open) closeQuietly(conn);
      while (tasks.size > 0) await Promise.all(tasks);
    },
  };
}

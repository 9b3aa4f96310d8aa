/**
 * A real `redis-server` for tests: started on a free loopback port in a temporary folder, with
 * no persistence (`--save '' --appendonly no`), and stopped (folder removed) by `stop()`.
 *
 * @module
 */

/** A running `redis-server` child process. */
export class RedisServer {
  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly child: Deno.ChildProcess,
  ) {}

  /** The URL a tracker's `--redis` takes. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Starts a server; on `port` when given (e.g. again after a kill), else on a free one.
   * Resolves once it answers `PING`.
   */
  static async start(port?: number): Promise<RedisServer> {
    const chosen = port ?? freeTcpPort();
    const dir = await Deno.makeTempDir({ prefix: "peersync-redis-" });
    const child = new Deno.Command("redis-server", {
      args: [
        "--port",
        String(chosen),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const server = new RedisServer(chosen, dir, child);
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(chosen))) {
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`redis-server did not start on port ${chosen}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return server;
  }

  /** Stops the server (SIGKILL simulates a crash) and removes its folder. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<void> {
    try {
      this.child.kill(signal);
    } catch {
      // Already exited.
    }
    await this.child.status;
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** Whether `redis-server` can be run here (the tests skip with a clear reason when not). */
export function haveRedisServer(): boolean {
  try {
    return new Deno.Command("redis-server", { args: ["--version"], stdout: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

/** A loopback TCP port that was free a moment ago. */
export function freeTcpPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function answersPing(port: number): Promise<boolean> {
  let conn: Deno.TcpConn | undefined;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("PING\r\n"));
    const buffer = new Uint8Array(16);
    const read = await conn.read(buffer);
    return read !== null && new TextDecoder().decode(buffer.subarray(0, read)).startsWith("+PONG");
  } catch {
    return false;
  } finally {
    conn?.close();
  }
}

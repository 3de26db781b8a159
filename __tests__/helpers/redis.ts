// A real redis-server for one suite: random port on 127.0.0.1, no persistence, stopped by its own pid.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import Redis from "ioredis";

export type RedisServer = {
  port: number;
  /** a connected ioredis client (created on first use, closed by stop()) */
  client(): Redis;
  stop(): Promise<void>;
};

function redisBinary(): string {
  for (const candidate of ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return "redis-server"; // resolved through PATH; a clear error below if missing
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output.slice(-500)}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === "ENOENT"
          ? new Error("redis-server is not installed (apt-get install redis-server); the Upstash adapter tests need it")
          : err,
      );
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`));
    });
  });
}

export async function startRedis(): Promise<RedisServer> {
  let lastError: unknown;
  // A port found free can be taken before redis binds it; try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(
      redisBinary(),
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "notice"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      await waitReady(child);
    } catch (err) {
      lastError = err;
      if (child.exitCode === null) child.kill("SIGKILL");
      if (err instanceof Error && err.message.includes("not installed")) throw err;
      continue;
    }
    child.stdout?.removeAllListeners("data");
    child.stderr?.removeAllListeners("data");
    child.removeAllListeners("exit");
    let client: Redis | undefined;
    return {
      port,
      client() {
        client ??= new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1, lazyConnect: false });
        return client;
      },
      async stop() {
        if (client) await client.quit().catch(() => client?.disconnect());
        if (child.exitCode !== null) return;
        await new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        });
      },
    };
  }
  throw lastError instanceof Error ? lastError : new Error("redis-server did not start");
}

import assert from "node:assert/strict";
import { createLogger, logs, parseLogLevel } from "./log.ts";

Deno.test("a logger writes its level and the less verbose ones, and says which it writes", () => {
  const lines: string[] = [];
  const logger = createLogger({ level: "warn", write: (line) => lines.push(line), clock: () => 0 });
  for (const level of ["error", "warn", "info", "debug"] as const) {
    logger.log({ level, message: level });
  }
  assert.deepEqual(lines, [
    "1970-01-01T00:00:00.000Z ERROR error",
    "1970-01-01T00:00:00.000Z WARN  warn",
  ]);
  assert.equal(logs(logger, "warn"), true);
  assert.equal(logs(logger, "info"), false);
  assert.equal(parseLogLevel("debug"), "debug");
  assert.equal(parseLogLevel("loud"), undefined);
});

Deno.test("text lines put the peer's address after the level; JSON gives each field one meaning", () => {
  let now = Date.UTC(2026, 10, 30, 19, 30, 0, 123);
  const text: string[] = [];
  const json: string[] = [];
  const event = {
    peer: "[::1]:5000",
    user: "alice",
    message: "Received LAP from alice; sent LIST",
    fields: { event: "datagram", command: "LAP" },
  };
  createLogger({ write: (line) => text.push(line), clock: () => now }).log(event);
  now += 1;
  createLogger({ format: "json", write: (line) => json.push(line), clock: () => now }).log(event);
  assert.equal(
    text[0],
    "2026-11-30T19:30:00.123Z INFO  [::1]:5000 Received LAP from alice; sent LIST",
  );
  assert.deepEqual(JSON.parse(json[0]), {
    time: "2026-11-30T19:30:00.124Z",
    level: "info",
    peer: "[::1]:5000",
    user: "alice",
    message: "Received LAP from alice; sent LIST",
    event: "datagram",
    command: "LAP",
  });
});

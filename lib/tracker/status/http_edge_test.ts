import assert from "node:assert/strict";
import { parseExposition, valueOf } from "../../../tests/support/prometheus_text.ts";
import { TrackerState } from "../state.ts";
import { startStatusServer, statusHandler } from "./http_edge.ts";
import { RateHistory, StatusSnapshots } from "./status_snapshot.ts";
import { TrafficCounters } from "./traffic.ts";

function handler() {
  const state = new TrackerState({ now: () => 0 });
  state.openSession({ hostname: "10.0.0.1", port: 1 }, "alice", { version: 1 });
  const traffic = new TrafficCounters();
  const sources = { state, traffic, startedAtMs: 0, wallNow: () => 1_000 };
  const snapshots = new StatusSnapshots({ state, now: () => 0, nextTurn: () => Promise.resolve() });
  return { handle: statusHandler(sources, snapshots, new RateHistory()), traffic, snapshots };
}

Deno.test("the HTTP edge serves /metrics, /status.json and the page with their content types", async () => {
  const { handle, traffic, snapshots } = handler();
  traffic.handled(1, { command: "LAP" });
  const metrics = await handle(new Request("http://x/metrics"));
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const exposition = parseExposition(await metrics.text());
  assert.equal(
    valueOf(exposition, "peersync_tracker_requests_total", { version: "v1", command: "LAP" }),
    1,
  );
  assert.equal(valueOf(exposition, "peersync_tracker_users_online"), 1);
  const json = await handle(new Request("http://x/status.json"));
  assert.equal((await json.json()).usersOnline, 1);
  const page = await handle(new Request("http://x/"));
  assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
  assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'/);
  const html = await page.text();
  assert.match(html, /<title>PeerSync tracker<\/title>/);
  assert.doesNotMatch(html, /(src|href)=["']?https?:/, "nothing loaded from elsewhere");
  assert.doesNotMatch(html, /innerHTML/, "strings go in as text");
  await snapshots.close();
});

Deno.test("the HTTP edge answers 404 for unknown paths and 405 (with Allow) for other methods", async () => {
  const { handle, snapshots } = handler();
  for (const path of ["/nope", "/metrics/", "/status", "/../metrics"]) {
    const response = await handle(new Request(`http://x${path}`));
    assert.equal(response.status, new URL(`http://x${path}`).pathname === "/metrics" ? 200 : 404);
    await response.body?.cancel();
  }
  for (const method of ["POST", "PUT", "DELETE"]) {
    const response = await handle(new Request("http://x/metrics", { method }));
    assert.equal(response.status, 405, method);
    assert.equal(response.headers.get("allow"), "GET, HEAD");
    await response.body?.cancel();
  }
  await snapshots.close();
});

Deno.test("the HTTP server binds port 0, reports its port, and stops on the signal", async () => {
  const controller = new AbortController();
  const server = startStatusServer({
    hostname: "127.0.0.1",
    port: 0,
    signal: controller.signal,
    state: new TrackerState({ now: () => performance.now() }),
    traffic: new TrafficCounters(),
    startedAtMs: Date.now(),
    wallNow: () => Date.now(),
    now: () => performance.now(),
  });
  assert.ok(server.address.port > 0);
  const response = await fetch(`http://127.0.0.1:${server.address.port}/status.json`);
  assert.equal((await response.json()).usersOnline, 0);
  controller.abort();
  await server.finished;
  await assert.rejects(fetch(`http://127.0.0.1:${server.address.port}/`));
});

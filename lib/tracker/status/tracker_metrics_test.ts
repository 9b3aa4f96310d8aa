import assert from "node:assert/strict";
import { parseExposition, valueOf } from "../../../tests/support/prometheus_text.ts";
import { renderTrackerMetrics, trackerMetricFamilies } from "./tracker_metrics.ts";
import { TrafficCounters } from "./traffic.ts";

const stats = { pending: 4, written: 10, transactions: 2, coalesced: 1, failures: 1, dropped: 0 };

/** One reading of a tracker with 3 sessions, 5 publications of 4 names and a store queue. */
const reading = (traffic: TrafficCounters) => ({
  traffic,
  sessions: { v1: 1, v2: 2 },
  publications: 5,
  names: 4,
  store: stats,
  startedAtMs: 1_000_000,
  uptimeSeconds: 12.5,
});

Deno.test("every tracker metric is prefixed, documented, and counters end in _total", async () => {
  const families = trackerMetricFamilies(reading(new TrafficCounters()));
  const docs = await Deno.readTextFile(new URL("../../../docs/operations.md", import.meta.url));
  for (const family of families) {
    assert.match(family.name, /^peersync_tracker_[a-z_]+$/);
    assert.ok(family.help.length > 0);
    if (family.type === "counter") assert.match(family.name, /_total$/);
    const short = family.name.slice("peersync_tracker_".length);
    assert.ok(docs.includes(`\`${short}`), `${short} is in docs/operations.md`);
  }
});

Deno.test("tracker metrics show sessions, drops and the store queue from one reading", () => {
  const traffic = new TrafficCounters();
  traffic.dropped("hostRate");
  traffic.dropped("forgedSealed");
  traffic.handled(2, { command: "LOGIN", summary: "ERR auth" });
  const text = renderTrackerMetrics(reading(traffic));
  const parsed = parseExposition(text);
  const p = "peersync_tracker_";
  assert.equal(valueOf(parsed, `${p}sessions`, { version: "v2" }), 2);
  assert.equal(valueOf(parsed, `${p}users_online`), 3);
  assert.equal(valueOf(parsed, `${p}dropped_datagrams_total`, { limit: "host_rate" }), 1);
  assert.equal(valueOf(parsed, `${p}dropped_datagrams_total`, { limit: "forged_sealed" }), 1);
  assert.equal(
    valueOf(parsed, `${p}request_errors_total`, {
      version: "v2",
      command: "LOGIN",
      reply: "ERR auth",
    }),
    1,
  );
  assert.equal(valueOf(parsed, `${p}store_pending_changes`), 4);
  assert.equal(valueOf(parsed, `${p}start_time_seconds`), 1_000);
  assert.equal(valueOf(parsed, `${p}uptime_seconds`), 12.5);
  assert.ok(parsed.samples.has(`${p}limit_hits_total{limit="search_cost"}`));
});

Deno.test("without a database there are no store metrics", () => {
  const text = renderTrackerMetrics({
    traffic: new TrafficCounters(),
    sessions: { v1: 0, v2: 0 },
    publications: 0,
    names: 0,
    startedAtMs: 0,
    uptimeSeconds: 0,
  });
  assert.doesNotMatch(text, /store_/);
});

/**
 * The tracker's `--http` edge end to end: `/metrics` scraped and parsed as a scraper would while
 * real clients move the counters (v1 and v2 logins, requests, garbage, forged sealed datagrams,
 * a flood), plus the HTTP rules (404, 405) and the loopback-only default.
 */

import assert from "node:assert/strict";
import { runProgram, TrackerProcess } from "./support/programs.ts";
import { type Exposition, parseExposition, valueOf } from "./support/prometheus_text.ts";
import { SealedClient } from "./support/sealed_client.ts";
import { UdpProbe } from "./support/udp_probe.ts";

const P = "peersync_tracker_";

/** A tracker with `--http 127.0.0.1:0`, and the base URL its start-up line reports. */
async function startWithHttp(extra: readonly string[] = []) {
  const tracker = await TrackerProcess.start(undefined, [
    "--store",
    "memory",
    "--http",
    "127.0.0.1:0",
    ...extra,
  ]);
  const match = await tracker.program.stdout.waitFor(/Status page on (http:\/\/[^ ]+)\/ /);
  return { tracker, base: match[1] };
}

async function scrape(base: string): Promise<Exposition> {
  const response = await fetch(`${base}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

Deno.test("tracker /metrics counts requests, errors, sessions, publications and drops as they happen", async () => {
  const { tracker, base } = await startWithHttp(["--source-rate", "20", "--source-burst", "20"]);
  const alice = new UdpProbe(tracker.port);
  const stranger = new UdpProbe(tracker.port);
  const flooder = new UdpProbe(tracker.port);
  const bob = new SealedClient({ trackerPort: tracker.port });
  try {
    const before = await scrape(base);
    assert.equal(before.types.get(`${P}requests_total`), "counter");
    assert.equal(before.types.get(`${P}sessions`), "gauge");
    assert.equal(before.types.get(`${P}users_online`), "gauge");
    assert.equal(before.types.get(`${P}uptime_seconds`), "gauge");
    assert.equal(valueOf(before, `${P}users_online`), 0);
    const startTime = valueOf(before, `${P}start_time_seconds`);
    assert.ok(Math.abs(startTime - Date.now() / 1000) < 120, `start time ${startTime}`);

    assert.equal(await alice.ask("auth alice alice-pw", 5000), "OK");
    assert.equal(await alice.ask("pub notes.txt"), "File published successfully");
    assert.equal(await alice.ask("pub photo.jpg"), "File published successfully");
    assert.equal(await alice.ask("lap"), "No active peers");
    assert.equal(await alice.ask("sch note"), "No files found");
    assert.equal(await stranger.ask("lap"), "ERR"); // no session
    assert.equal(await stranger.ask("xyzzy garbage that is no command at all"), "ERR");
    await bob.login("bob", "bob-pw");
    // A sealed datagram altered on the way: dropped as forged.
    const forged = bob.seal(bob.plaintext({ verb: "LAP", offset: 0 }));
    forged[forged.length - 1] ^= 0xff;
    await bob.send(forged);
    // 60 datagrams at once from one address over its 20/s limit: most are dropped.
    for (let i = 0; i < 60; i++) await flooder.send("lap");
    await new Promise((resolve) => setTimeout(resolve, 300));

    const after = await scrape(base);
    const v1 = (command: string) =>
      valueOf(after, `${P}requests_total`, { version: "v1", command }) -
      valueOf(before, `${P}requests_total`, { version: "v1", command });
    assert.equal(v1("AUTH"), 1);
    assert.equal(v1("PUB"), 2);
    assert.equal(v1("SCH"), 1);
    assert.ok(v1("LAP") >= 2 + 19, `LAP ${v1("LAP")}`); // alice, stranger, the flood's first 20
    assert.ok(v1("INVALID") >= 1);
    assert.equal(valueOf(after, `${P}requests_total`, { version: "v2", command: "LOGIN" }), 1);
    assert.equal(valueOf(after, `${P}requests_total`, { version: "v2", command: "PROOF" }), 1);
    assert.ok(
      valueOf(after, `${P}request_errors_total`, { version: "v1", command: "LAP", reply: "ERR" }) >=
        1,
    );
    assert.ok(
      valueOf(after, `${P}request_errors_total`, {
        version: "v1",
        command: "INVALID",
        reply: "ERR",
      }) >= 1,
    );
    assert.equal(valueOf(after, `${P}sessions`, { version: "v1" }), 1);
    assert.equal(valueOf(after, `${P}sessions`, { version: "v2" }), 1);
    assert.equal(valueOf(after, `${P}users_online`), 2);
    assert.equal(valueOf(after, `${P}publications`), 2);
    assert.equal(valueOf(after, `${P}published_names`), 2);
    assert.equal(valueOf(after, `${P}dropped_datagrams_total`, { limit: "forged_sealed" }), 1);
    const flooded = valueOf(after, `${P}dropped_datagrams_total`, { limit: "source_rate" });
    assert.ok(flooded >= 20 && flooded <= 41, `source_rate drops ${flooded}`);
    assert.equal(valueOf(after, `${P}dropped_datagrams_total`, { limit: "host_rate" }), 0);
    if (Deno.build.os === "linux") {
      // The kernel's own drops (a full receive buffer) are read from /proc for the tracker's port.
      assert.equal(after.types.get(`${P}receive_buffer_drops_total`), "counter");
      assert.ok(after.samples.has(`${P}receive_buffer_drops_total`));
      assert.ok(after.samples.has(`${P}receive_queue_bytes`));
    }
    assert.ok(
      valueOf(after, `${P}datagrams_received_total`) -
          valueOf(before, `${P}datagrams_received_total`) >= 70,
    );
    assert.ok(valueOf(after, `${P}replies_total`) > valueOf(before, `${P}replies_total`));
    assert.ok(valueOf(after, `${P}uptime_seconds`) >= valueOf(before, `${P}uptime_seconds`));

    // Scraping changed nothing: the counters move only with datagrams.
    const again = await scrape(base);
    assert.equal(
      valueOf(again, `${P}datagrams_received_total`),
      valueOf(after, `${P}datagrams_received_total`),
    );
  } finally {
    await bob.close();
    await Promise.all([alice.close(), stranger.close(), flooder.close()]);
    await tracker.stop();
  }
});

Deno.test("tracker HTTP edge answers 404 for an unknown path and 405 for a non-GET method", async () => {
  const { tracker, base } = await startWithHttp();
  try {
    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const posted = await fetch(`${base}/metrics`, { method: "POST", body: "x" });
    assert.equal(posted.status, 405);
    assert.equal(posted.headers.get("allow"), "GET, HEAD");
    await posted.body?.cancel();
    const json = await fetch(`${base}/status.json`);
    assert.equal(json.status, 200);
    const status = await json.json();
    assert.equal(status.usersOnline, 0);
    assert.deepEqual(status.peers, []);
  } finally {
    const status = await tracker.stop();
    assert.equal(status?.code, 0, "stops cleanly with its HTTP edge");
  }
});

Deno.test("tracker refuses --http on a non-loopback address without --http-public (exit 2)", async () => {
  const result = await runProgram("tracker.ts", ["--http", "0.0.0.0:0", "0"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^peersync-tracker: --http 0\.0\.0\.0:0 is not a loopback address/);
  assert.match(result.stderr, /--http-public/);
  const bad = await runProgram("tracker.ts", ["--http", "localhost", "0"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /expected HOST:PORT/);
});

Deno.test("tracker --http-public serves on every interface and says where", async () => {
  const tracker = await TrackerProcess.start(undefined, [
    "--store",
    "memory",
    "--http",
    "0.0.0.0:0",
    "--http-public",
  ]);
  try {
    const match = await tracker.program.stdout.waitFor(
      /Status page on http:\/\/0\.0\.0\.0:(\d+)\//,
    );
    const response = await fetch(`http://127.0.0.1:${match[1]}/metrics`);
    assert.equal(response.status, 200);
    assert.ok(parseExposition(await response.text()).samples.size > 0);
  } finally {
    await tracker.stop();
  }
});

Deno.test("tracker fails to start (exit 1, one line) when its --http address is in use", async () => {
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (busy.addr as Deno.NetAddr).port;
    const dir = await Deno.makeTempDir({ prefix: "peersync-http-busy-" });
    try {
      await Deno.writeTextFile(`${dir}/credentials.txt`, "alice alice-pw\n");
      const result = await runProgram("tracker.ts", [
        "--credentials",
        `${dir}/credentials.txt`,
        "--store",
        "memory",
        "--http",
        `127.0.0.1:${port}`,
        "0",
      ]);
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `peersync-tracker: cannot listen on 127.0.0.1:${port}: address already in use\n`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  } finally {
    busy.close();
  }
});

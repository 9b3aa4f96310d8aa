/**
 * Names and search (issue 13) as users see them: real tracker and peers on loopback. A name with
 * spaces is published, found and downloaded; search folds case and NFC/NFD; `sch -e` is exact;
 * a v1 client (raw datagrams) never receives a name with a space; two users publishing
 * different contents under one name show as two versions, and `get -v` fetches the chosen one.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { TrackerProcess } from "./support/programs.ts";
import { PeerProcess, sameBytes, writeRandomFile } from "./support/peers.ts";
import { UdpProbe } from "./support/udp_probe.ts";
import { startFakeTracker } from "../lib/peer/control/testing/fake_v1_tracker.ts";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

Deno.test("a name with spaces is published, found by folded search and downloaded; v1 never sees it", async () => {
  const tracker = await TrackerProcess.start();
  const alice = await PeerProcess.start(tracker.port);
  const bob = await PeerProcess.start(tracker.port);
  const v1 = new UdpProbe(tracker.port);
  try {
    await alice.login("alice", "alice-pw");
    await bob.login("bob", "bob-pw");
    const report = await writeRandomFile(`${alice.dir}/my report.pdf`, 300_000);
    await writeRandomFile(`${alice.dir}/Résumé.txt`, 1000);
    await alice.run(`pub "my report.pdf"`, "File published successfully");
    await alice.run("pub Résumé.txt", "File published successfully");
    assert.match(
      await alice.run("lpf", 'report.pdf"\n'),
      /2 files published:\nRésumé\.txt\n"my report\.pdf"\n/,
    );

    // Folded by default (and long with -l): case and NFC/NFD do not matter, accents do.
    assert.match(
      await bob.run("sch -l REPORT", "holder"),
      /1 file found:\n"my report\.pdf" {2}293\.0 KiB {2}1 holder\n/,
    );
    assert.match(await bob.run("sch my\\ rep", "report"), /1 file found:\n"my report\.pdf"\n/);
    assert.match(await bob.run("sch re\u0301sume\u0301", "Résumé"), /1 file found:\nRésumé\.txt\n/);
    assert.match(await bob.run("sch RÉSUMÉ.TXT", "Résumé"), /1 file found:\nRésumé\.txt\n/);
    assert.match(await bob.run("sch RESUME", "No files found"), /No files found/);
    // Exact, as v1 and as before.
    assert.match(await bob.run("sch -e résumé", "No files found"), /No files found/);
    assert.match(await bob.run("sch -e Résumé", "Résumé"), /1 file found:\nRésumé\.txt\n/);

    await bob.run("get my\\ report.pdf", `"my report.pdf" downloaded successfully`);
    assert.ok(sameBytes(await Deno.readFile(`${bob.dir}/my report.pdf`), report));

    // A v1 client searching, listing and asking for it: never a name with a space.
    assert.equal(await v1.ask("auth carol carol-pw"), "OK");
    await v1.send(`TCP 127.0.0.1 ${v1.port}`);
    assert.equal(await v1.ask("sch sum"), "Résumé.txt");
    assert.equal(await v1.ask("sch port"), "No files found");
    assert.equal(await v1.ask("sch my"), "No files found");
    assert.equal(await v1.ask("sch "), "ERR");
    assert.equal(await v1.ask("get my\\report.pdf"), "ERR");
    assert.equal(await v1.ask("get my"), "File not found");
    // Its own publications too: alice leaves and comes back over v1.
    await alice.run("xit", "Goodbye!");
    await alice.program.exit();
    const aliceV1 = new UdpProbe(tracker.port);
    try {
      assert.equal(await aliceV1.ask("auth alice alice-pw"), "OK");
      assert.equal(await aliceV1.ask("lpf"), "Résumé.txt");
    } finally {
      await aliceV1.close();
    }
  } finally {
    await v1.close();
    await bob.stop();
    await alice.stop().catch(() => {});
    await tracker.stop();
  }
});

Deno.test("two users publishing different contents under one name: sch shows two versions, get -v fetches the chosen one", async () => {
  const tracker = await TrackerProcess.start();
  const alice = await PeerProcess.start(tracker.port);
  const carol = await PeerProcess.start(tracker.port);
  const bob = await PeerProcess.start(tracker.port);
  try {
    await alice.login("alice", "alice-pw");
    await carol.login("carol", "carol-pw");
    await bob.login("bob", "bob-pw");
    const fromAlice = await writeRandomFile(`${alice.dir}/song one.ogg`, 2048);
    const fromCarol = await writeRandomFile(`${carol.dir}/song one.ogg`, 4096);
    await alice.run(`pub "song one.ogg"`, "File published successfully");
    await carol.run(`pub "song one.ogg"`, "File published successfully");
    const [first, second] = [fromAlice, fromCarol].sort((a, b) => sha256(a) < sha256(b) ? -1 : 1);

    const listed = await bob.run("sch -l SONG", "2) ");
    assert.match(listed, /1 file found:\n"song one\.ogg" {2}2 versions:\n/);
    assert.match(
      listed,
      new RegExp(
        `  1\\) ${first.length === 2048 ? "2\\.0" : "4\\.0"} KiB {2}sha256 ${
          sha256(first).slice(0, 16)
        } {2}1 holder\n  2\\) ${second.length === 2048 ? "2\\.0" : "4\\.0"} KiB {2}sha256 ${
          sha256(second).slice(0, 16)
        } {2}1 holder\n`,
      ),
    );

    // By number, as sch numbered them.
    await bob.run(`get -v 2 "song one.ogg"`, `"song one.ogg" downloaded successfully`);
    assert.ok(sameBytes(await Deno.readFile(`${bob.dir}/song one.ogg`), second));
    await Deno.remove(`${bob.dir}/song one.ogg`);
    // By digest prefix.
    await bob.run(
      `get -v ${sha256(first).slice(0, 8)} song\\ one.ogg`,
      `"song one.ogg" downloaded successfully`,
    );
    assert.ok(sameBytes(await Deno.readFile(`${bob.dir}/song one.ogg`), first));
    await Deno.remove(`${bob.dir}/song one.ogg`);
    // A version that is not there is refused with the list.
    assert.match(
      await bob.run(`get -v 3 "song one.ogg"`, "get -v N"),
      /"song one\.ogg" has 2 versions:\n {2}1\) .*\n {2}2\) .*\n"song one\.ogg": there is no version 3; choose one of those listed with get -v N\n/,
    );
    // Without -v the versions are listed, never a silent pick.
    const plain = await bob.run(`get "song one.ogg"`, "downloaded successfully");
    assert.match(plain, /"song one\.ogg" has 2 versions; trying them most holders first/);
  } finally {
    await bob.stop();
    await carol.stop();
    await alice.stop();
    await tracker.stop();
  }
});

Deno.test("against a v1 tracker a quoted name with spaces is refused with the reason, never sent", async () => {
  const tracker = startFakeTracker((request) => {
    if (request.startsWith("auth ")) return request === "auth alice pw" ? "OK" : "ERR";
    if (request === "HBT" || request.startsWith("TCP ")) return undefined;
    if (request === "lpf") return "No published files";
    return request === "sch rep" ? "report.pdf" : "ERR";
  });
  const alice = await PeerProcess.start(tracker.port);
  try {
    await Deno.writeTextFile(`${alice.dir}/my report.pdf`, "x");
    await alice.login("alice", "pw");
    for (const command of [`pub "my report.pdf"`, "get my\\ report.pdf", `sch "my rep"`]) {
      assert.match(
        await alice.run(command, "speaks only v1"),
        /names with spaces need PeerSync v2, and this tracker speaks only v1/,
      );
    }
    // v1's sch is as before: exact, names only.
    assert.match(await alice.run("sch rep", "report.pdf"), /1 file found:\nreport\.pdf\n/);
    assert.deepEqual(tracker.received.filter((request) => request.includes("my")), []);
  } finally {
    await alice.stop();
    await tracker.close();
  }
});

Deno.test("names a v1 tracker lists that the file-name rule refuses are dropped, never shown cleaned", async () => {
  const hostile = ["../x", ".", "a\u00a0b", "a\u202eb.txt", "a\u2028b", "c:\\d"];
  const tracker = startFakeTracker((request) => {
    if (request.startsWith("auth ")) return "OK";
    if (request === "HBT" || request.startsWith("TCP ")) return undefined;
    if (request === "lpf") return ["ok.txt", ...hostile].join(", ");
    return request === "sch x" ? ["ok.txt", ...hostile, "\u2026and 2 more"].join(", ") : "ERR";
  });
  const alice = await PeerProcess.start(tracker.port);
  try {
    await alice.login("alice", "pw");
    // The bidi name shown without its override would read as the valid "ab.txt", another file.
    // Line-anchored: the login's last lines may still arrive with the command's output.
    assert.match(
      await alice.run("sch x", "more\n"),
      /^(> )?3 files found:\nok\.txt\n\u2026and 2 more\n/m,
    );
    assert.match(await alice.run("lpf", "ok.txt\n"), /^(> )?1 file published:\nok\.txt\n/m);
  } finally {
    await alice.stop();
    await tracker.close();
  }
});

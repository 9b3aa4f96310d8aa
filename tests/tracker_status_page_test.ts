/**
 * The tracker's live status page in a real browser: headless Chromium loads `/`, runs its script
 * (which polls `/status.json`), and the numbers, peers and names it rendered are checked against
 * what the tracker holds — a file name full of markup among them, which must show as text. A
 * screenshot is kept as a test artifact (its path is printed).
 *
 * Chromium comes from Debian (`apt-get install -y chromium`; `.ci/run` installs it). Without it
 * the test is skipped, under a name saying so — except in CI (`CI=true`), where it must run.
 */

import assert from "node:assert/strict";
import { projectRoot, TrackerProcess } from "./support/programs.ts";
import { SealedClient } from "./support/sealed_client.ts";
import { UdpProbe } from "./support/udp_probe.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});
const IN_CI = Deno.env.get("CI") === "true";
/** Where the screenshot is kept: `test-artifacts/` in the project (git ignores it). */
const ARTIFACTS = Deno.env.get("PEERSYNC_TEST_ARTIFACTS") ?? `${projectRoot}test-artifacts`;
// Markup a file name can carry (no space, no slash): it must show as these characters.
const EVIL_NAME = `<b>bold<i>&amp;"q'<script>.txt`;

/** Runs headless Chromium on `url` with `args`; its stdout. */
async function chromium(url: string, args: readonly string[]): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "peersync-chromium-" });
  try {
    const output = await new Deno.Command(CHROMIUM as string, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        `--user-data-dir=${profile}`,
        // Virtual time lets the page's polls run (fetches pause it) before the DOM is taken.
        "--virtual-time-budget=4000",
        ...args,
        url,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, `chromium failed: ${stderr}`);
    return new TextDecoder().decode(output.stdout);
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}

/** The text inside the element with `id` (no nested markup). */
function textOf(dom: string, id: string): string {
  const match = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(dom);
  assert.ok(match, `no #${id} in the page`);
  return match[1];
}

/** The rows of the table body `id`, each as its cells' text. */
function rowsOf(dom: string, id: string): string[][] {
  const body = new RegExp(`<tbody id="${id}">([\\s\\S]*?)</tbody>`).exec(dom);
  assert.ok(body, `no tbody #${id}`);
  return [...body[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1])
  );
}

const ignore = CHROMIUM === undefined && !IN_CI;
Deno.test({
  name: ignore
    ? "tracker status page in headless Chromium (skipped: chromium is not installed)"
    : "tracker status page in headless Chromium shows the tracker's peers, names and figures",
  ignore,
  async fn() {
    assert.ok(CHROMIUM, "CI must run this test: install chromium (apt-get install -y chromium)");
    const tracker = await TrackerProcess.start(undefined, [
      "--store",
      "memory",
      "--http",
      "127.0.0.1:0",
    ]);
    const alice = new UdpProbe(tracker.port);
    const carol = new UdpProbe(tracker.port);
    const bob = new SealedClient({ trackerPort: tracker.port });
    let beats: ReturnType<typeof setInterval> | undefined;
    try {
      const base = (await tracker.program.stdout.waitFor(/Status page on (http:\/\/[^ ]+)\/ /))[1];
      assert.equal(await alice.ask("auth alice alice-pw", 5000), "OK");
      assert.equal(await carol.ask("auth carol carol-pw", 5000), "OK");
      await bob.login("bob", "bob-pw");
      for (const name of ["notes.txt", EVIL_NAME]) {
        assert.equal(await alice.ask(`pub ${name}`), "File published successfully");
      }
      assert.equal(await carol.ask("pub notes.txt"), "File published successfully");
      const sha256 = "0".repeat(64);
      for (const file of ["notes.txt", "song.mp3"]) {
        assert.equal((await bob.request({ verb: "PUB", file, size: 1, sha256 }))?.status, "OK");
      }
      // v1 sessions live 3 s after their last sign of life: keep all three online meanwhile.
      beats = setInterval(() => {
        void alice.send("HBT");
        void carol.send("HBT");
        void bob.send(bob.seal(bob.plaintext({ verb: "HBT" })));
      }, 500);

      // The chart needs two readings of the request count, a second apart.
      const deadline = Date.now() + 10_000;
      while ((await (await fetch(`${base}/status.json`)).json()).requestRate.length < 2) {
        assert.ok(Date.now() < deadline, "the rate history never filled");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const dom = await chromium(`${base}/`, ["--dump-dom"]);
      const status = await (await fetch(`${base}/status.json`)).json();
      assert.ok(Number(/data-updates="(\d+)"/.exec(dom)?.[1]) >= 1, "the script rendered");
      assert.match(textOf(dom, "state"), /^live, updated/);
      assert.equal(textOf(dom, "users-online"), "3");
      assert.equal(textOf(dom, "sessions-v1"), "2");
      assert.equal(textOf(dom, "sessions-v2"), "1");
      assert.equal(textOf(dom, "publications"), "5");
      assert.equal(textOf(dom, "names"), "3");
      assert.equal(status.usersOnline, 3);
      assert.equal(status.publications, 5);
      assert.ok(Number(textOf(dom, "requests").replace(/,/g, "")) >= 10);
      assert.equal(textOf(dom, "started-at"), status.startedAt);

      const peers = rowsOf(dom, "peers");
      assert.deepEqual(peers, [
        ["alice", `127.0.0.1:${alice.port}`, "v1"],
        ["bob", `127.0.0.1:${bob.port}`, "v2"],
        ["carol", `127.0.0.1:${carol.port}`, "v1"],
      ]);
      const names = rowsOf(dom, "top-names");
      assert.deepEqual(names[0], ["notes.txt", "3"]);
      // The markup-laden name is shown as text: escaped in the DOM, no element made of it.
      const escaped = EVIL_NAME.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      assert.ok(names.some((row) => row[0] === escaped), JSON.stringify(names));
      assert.doesNotMatch(dom, /<b>bold|<i>/);
      assert.equal((dom.match(/<script>/g) ?? []).length, 1, "only the page's own script");
      assert.match(dom, /<polyline points="[\d., ]+"/, "the rate chart was drawn");

      await Deno.mkdir(ARTIFACTS, { recursive: true });
      const screenshot = `${ARTIFACTS}/tracker_status_page.png`;
      await Deno.remove(screenshot).catch(() => {});
      await chromium(`${base}/`, [
        "--hide-scrollbars",
        "--window-size=1200,900",
        `--screenshot=${screenshot}`,
      ]);
      const png = await Deno.readFile(screenshot);
      assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG");
      assert.ok(png.length > 10_000, `screenshot of ${png.length} bytes`);
      console.log(`status page screenshot: ${screenshot}`);
    } finally {
      clearInterval(beats);
      await bob.close();
      await Promise.all([alice.close(), carol.close()]);
      await tracker.stop();
    }
  },
});

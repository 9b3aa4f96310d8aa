/**
 * scripts/compile.sh: really builds and runs both executables where a denort runtime can be had,
 * and says why it skips where it cannot (deno compile downloads denort, unreachable offline).
 */

import assert from "node:assert/strict";
import { projectRoot } from "./support/programs.ts";
import { UdpProbe } from "./support/udp_probe.ts";

function denortAvailable(): string | undefined {
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    try {
      if (Deno.statSync(denort).isFile) return undefined;
    } catch {
      return `DENORT_BIN=${denort} does not exist`;
    }
  }
  const home = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  const version = Deno.version.deno;
  try {
    for (const entry of Deno.readDirSync(`${home}/dl/release/v${version}`)) {
      if (entry.name.startsWith("denort-")) return undefined;
    }
  } catch {
    // No cached runtime.
  }
  return "no denort runtime on this machine (dl.deno.land unreachable, DENORT_BIN unset)";
}

async function run(command: string, args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(command, {
    args,
    cwd: projectRoot,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("compile.sh --help exits 0; an unknown argument exits 2 with one line", async () => {
  const help = await run("bash", ["scripts/compile.sh", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--target TRIPLE/);
  const bad = await run("bash", ["scripts/compile.sh", "--fast"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'compile.sh: unknown argument "--fast" (see --help)\n');
});

Deno.test("compile.sh without deno says that deno is missing, not that denort is", async () => {
  const out = await Deno.makeTempDir({ prefix: "peersync-dist-" });
  try {
    const bare = await new Deno.Command("bash", {
      args: ["scripts/compile.sh", "--out", `${out}/dist`],
      cwd: projectRoot,
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(bare.stderr);
    assert.equal(bare.code, 1);
    assert.match(stderr, /^compile\.sh: deno is not on PATH; install it \(npm install [^\n]+\n$/);
    assert.doesNotMatch(stderr, /denort|command not found/);
    const wrong = await run("bash", ["scripts/compile.sh", "--out", `${out}/dist`], {
      DENO: `${out}/no-deno-here`,
    });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^compile\.sh: DENO=.*no-deno-here is not an executable deno/);
    await assert.rejects(Deno.stat(`${out}/dist`), "nothing built, no folder made");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("compile.sh --version prints the version of lib/version.ts", async () => {
  const { VERSION } = await import("../lib/version.ts");
  const result = await run("bash", ["scripts/compile.sh", "--version"]);
  assert.deepEqual(result, { code: 0, stdout: `compile.sh ${VERSION}\n`, stderr: "" });
});

const missing = denortAvailable();
if (missing) console.log(`compile test skipped: ${missing}`);

Deno.test({
  name: missing
    ? `compile.sh builds and runs both binaries (skipped: ${missing})`
    : "compile.sh builds and runs both binaries",
  ignore: missing !== undefined,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "peersync-dist-" });
    try {
      const built = await run("bash", ["scripts/compile.sh", "--out", out], {
        DENO: Deno.execPath(),
      });
      assert.equal(built.code, 0, built.stderr);
      for (const name of ["peersync-tracker", "peersync-peer"]) {
        const help = await run(`${out}/${name}`, ["--help"]);
        assert.equal(help.code, 0, help.stderr);
        assert.match(help.stdout, new RegExp(`Usage: ${name}`));
      }
      await Deno.writeTextFile(`${out}/credentials.txt`, "alice alice-pw\n");
      const tracker = new Deno.Command(`${out}/peersync-tracker`, {
        args: ["--credentials", `${out}/credentials.txt`, "0"],
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const reader = tracker.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!/listening on [^ ]+:\d+/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      const port = Number(/listening on [^ ]+:(\d+)/.exec(text)?.[1]);
      const probe = new UdpProbe(port);
      try {
        assert.equal(await probe.ask("auth alice alice-pw"), "OK");
      } finally {
        await probe.close();
        tracker.kill("SIGTERM");
        await reader.cancel();
        await tracker.status;
      }
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

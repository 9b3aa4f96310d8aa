/**
 * The V8 flags the tracker is launched with (`deno task tracker` in deno.json, and the same
 * compiled into the executable by scripts/compile.sh): a young generation of 2 x 16 MiB instead
 * of V8's 2 x 32 MiB, which keeps a tracker with 1M names and 100k sessions under 512 MiB RSS
 * (docs/operations.md, "Memory").
 */

import assert from "node:assert/strict";
import { projectRoot } from "./support/programs.ts";
import { trackerV8Flags, v8FlagsOf } from "../bench/tracker_v8_flags.ts";

/** The new space's committed bytes in a process run with `flags` after many objects survived. */
async function newSpaceAfterLoad(flags: string[]): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "peersync-v8-flags-" });
  try {
    // Survivors make V8 grow the new space to its largest, as a restore's indexing pass does.
    await Deno.writeTextFile(
      `${dir}/load.ts`,
      `import v8 from "node:v8";
const kept: object[] = [];
for (let i = 0; i < 2_000_000; i++) kept.push({ i, s: "n" + i });
const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
console.log(kept.length > 0 ? space?.space_size : -1);
`,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...(flags.length ? [`--v8-flags=${flags.join(",")}`] : []), `${dir}/load.ts`],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    return Number(new TextDecoder().decode(output.stdout).trim());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("deno task tracker runs V8 with a young generation of at most 2 x 16 MiB", async () => {
  const flags = trackerV8Flags();
  assert.deepEqual(flags, ["--max-semi-space-size=16"]);
  const MiB = 2 ** 20;
  const capped = await newSpaceAfterLoad(flags);
  const uncapped = await newSpaceAfterLoad([]);
  assert.ok(capped > 0 && capped <= 32 * MiB, `new space ${capped} bytes with ${flags}`);
  // Without the flag V8 sizes it from the machine's memory: 2 x 32 MiB with a few GiB (then the
  // assertion above fails without the flag), less on a small machine, never more than with it.
  assert.ok(uncapped >= capped, `new space ${uncapped} bytes without flags, ${capped} with`);
});

Deno.test("compile.sh builds the tracker with the V8 flags of deno task tracker", async () => {
  const script = await Deno.readTextFile(`${projectRoot}scripts/compile.sh`);
  const line = script.split("\n").find((l) => l.startsWith("build peersync-tracker "));
  assert.ok(line, "compile.sh builds peersync-tracker");
  assert.deepEqual(v8FlagsOf(line), trackerV8Flags());
  const peer = script.split("\n").find((l) => l.startsWith("build peersync-peer "));
  assert.deepEqual(v8FlagsOf(peer ?? ""), [], "the peer keeps V8's defaults");
});

Deno.test("v8FlagsOf reads the comma-separated --v8-flags= word of a command line", () => {
  assert.deepEqual(v8FlagsOf("deno run --v8-flags=--a=1,--b --allow-net x.ts"), ["--a=1", "--b"]);
  assert.deepEqual(v8FlagsOf("deno run --allow-net x.ts"), []);
});

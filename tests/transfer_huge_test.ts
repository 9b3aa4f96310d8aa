import assert from "node:assert/strict";
import { join } from "node:path";
import { fileDigest } from "../lib/peer/share/mod.ts";
import { downloadFromHolders } from "../lib/peer/download/mod.ts";
import { Seeder } from "./support/transfer_fixtures.ts";

const GiB = 1024 ** 3;
const enabled = Deno.env.get("PEERSYNC_HUGE_TEST") === "1";

// Over a minute and 5 GiB of disk: run with PEERSYNC_HUGE_TEST=1 (bench/run.ts --huge does 8 GiB).
Deno.test({
  name: "a sparse file over 4 GiB transfers and verifies (slow: set PEERSYNC_HUGE_TEST=1)",
  ignore: !enabled,
  async fn() {
    const size = 4 * GiB + 4097;
    const alice = await Seeder.start("alice");
    const target = await Deno.makeTempDir({ prefix: "peersync-target-" });
    try {
      {
        using file = await Deno.open(join(alice.dir, "huge.bin"), { write: true, create: true });
        await file.write(new TextEncoder().encode("start"));
        await file.truncate(size);
        await file.seek(size - 3, Deno.SeekMode.Start);
        await file.write(new TextEncoder().encode("end"));
      }
      const digest = await fileDigest(alice.dir, "huge.bin", alice.server.digestCache);
      alice.published.set("huge.bin", digest);
      const result = await downloadFromHolders({
        file: "huge.bin",
        dir: target,
        holders: [alice.holder("huge.bin")],
      });
      assert.equal(result.bytes, size);
      assert.equal(result.verified, true);
      assert.equal((await Deno.stat(join(target, "huge.bin"))).size, size);
    } finally {
      await alice.stop();
      await Deno.remove(target, { recursive: true });
    }
  },
});

import assert from "node:assert/strict";
import { join } from "node:path";
import { partFileName, resumablePartName } from "../download/mod.ts";
import { listPartFiles, partFileLines, partOwner } from "./part_files.ts";

const DIGEST = "ab".repeat(32);

Deno.test("a part file's owner is the known name whose hash it carries", () => {
  const part = resumablePartName("report.pdf", DIGEST);
  assert.equal(partOwner(part, ["a", "report.pdf"]), "report.pdf");
  assert.equal(partOwner(part, ["report.pd"]), undefined);
  // A v1 temporary file is not a resumable part.
  assert.equal(partOwner(partFileName("report.pdf"), ["report.pdf"]), undefined);
});

Deno.test("jobs lists resumable part files only, by name when known", async () => {
  const dir = await Deno.makeTempDir({ prefix: "peersync-parts-" });
  try {
    const known = resumablePartName("a.bin", DIGEST);
    const unknown = resumablePartName("secret.bin", DIGEST);
    await Deno.writeFile(join(dir, known), new Uint8Array(3 * 1024));
    await Deno.writeFile(join(dir, unknown), new Uint8Array(10));
    await Deno.writeFile(join(dir, partFileName("v1.bin")), new Uint8Array(10));
    await Deno.writeFile(join(dir, "a.bin.part"), new Uint8Array(10));
    await Deno.mkdir(join(dir, resumablePartName("dir", DIGEST)));
    const parts = await listPartFiles(dir);
    assert.deepEqual(parts.map((part) => part.name).sort(), [known, unknown].sort());
    const lines = partFileLines(parts, ["a.bin"]);
    assert.equal(lines[0], "Part files in the share folder (2):");
    assert.ok(
      lines.includes("  a.bin: part file of 3.0 KiB; get a.bin resumes it"),
      lines.join("\n"),
    );
    assert.ok(
      lines.includes(`  ${unknown}: part file of 10 B; get the same file again to resume it`),
      lines.join("\n"),
    );
    assert.deepEqual(partFileLines([], ["a.bin"]), []);
    assert.deepEqual(await listPartFiles(join(dir, "missing")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

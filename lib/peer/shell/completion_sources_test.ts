import assert from "node:assert/strict";
import { ListedNames, sessionCompleter } from "./completion_sources.ts";
import { failed, succeeded } from "./outcome.ts";

Deno.test("completion sources: share-folder files for pub, without PeerSync's own files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/notes.txt`, "n");
    await Deno.writeTextFile(`${dir}/.peersync-0123456789abcdef.part`, "p");
    await Deno.mkdir(`${dir}/nested`);
    const complete = sessionCompleter(dir, new Set(["mine.txt"]), new ListedNames());
    assert.deepEqual(complete("pub n", 5).candidates, ["notes.txt"]);
    assert.deepEqual(complete("pub .", 5).candidates, []);
    assert.deepEqual(complete("unp ", 4).candidates, ["mine.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("completion sources: get completes what the last successful sch or lpf listed", () => {
  const listed = new ListedNames();
  const complete = sessionCompleter("/nonexistent", new Set(), listed);
  listed.note(succeeded("sch", [], { text: "he", files: ["hello.txt", "help.md"], omitted: 0 }));
  listed.note(failed("sch", "trackerNotResponding", "Tracker not responding"));
  listed.note(succeeded("lap", [], { peers: ["bob"], omitted: 0 }));
  assert.deepEqual(complete("get hel", 7).candidates, ["hello.txt", "help.md"]);
  listed.note(succeeded("lpf", [], { files: ["mine.txt"], omitted: 0 }));
  assert.deepEqual(complete("get ", 4).candidates, ["mine.txt"]);
  assert.deepEqual(complete("pub ", 4).candidates, []);
});

Deno.test("completion sources: pub never offers a file whose name pub refuses", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const name of ["evil\x1b[31mred.txt", "evil\u202etxt.exe", "evil\nx.txt", "evil ok.txt"]) {
      await Deno.writeTextFile(`${dir}/${name}`, "x");
    }
    const complete = sessionCompleter(dir, new Set(), new ListedNames());
    assert.deepEqual(complete("pub ev", 6).candidates, ["evil\\ ok.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

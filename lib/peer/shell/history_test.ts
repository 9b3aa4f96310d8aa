import assert from "node:assert/strict";
import { History } from "./history.ts";
import { historyPath, openHistoryFile } from "./history_file.ts";
import { evalWithFileSizeLimit } from "../../../tests/support/file_size_limit.ts";

Deno.test("history keeps the newest lines up to its limit, no blanks, no repeat in a row", () => {
  const history = new History(["", "a", "b", "c"], 3);
  assert.deepEqual(history.entries, ["a", "b", "c"]);
  assert.equal(history.add("  "), false);
  assert.equal(history.add("c "), false);
  assert.equal(history.add("d"), true);
  assert.deepEqual(history.entries, ["b", "c", "d"]);
});

Deno.test("history file: created 0600 in a new folder, read back by the next run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = historyPath(`${dir}/state/peersync`);
    const first = openHistoryFile(path);
    assert.deepEqual(first.entries, []);
    first.add("lap");
    first.add("pub notes.txt ");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.deepEqual(openHistoryFile(path).entries, ["lap", "pub notes.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("history file: a long file is trimmed to the limit when opened", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/history`;
    await Deno.writeTextFile(path, Array.from({ length: 9 }, (_, i) => `sch ${i}\n`).join(""));
    const history = openHistoryFile(path, 4);
    assert.deepEqual(history.entries, ["sch 5", "sch 6", "sch 7", "sch 8"]);
    assert.equal((await Deno.readTextFile(path)).split("\n").filter(Boolean).length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("history file: a missing folder that cannot be made, or an unreadable file, is no error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A file where the folder should be: nothing can be read or written under it.
    await Deno.writeTextFile(`${dir}/blocked`, "");
    const history = openHistoryFile(`${dir}/blocked/history`);
    assert.equal(history.add("lap"), true);
    assert.deepEqual(history.entries, ["lap"]);
    // A folder where the file should be: unreadable as a file.
    await Deno.mkdir(`${dir}/history`);
    assert.deepEqual(openHistoryFile(`${dir}/history`).entries, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "history file: a trim that cannot be written whole (a full disk) keeps the old history",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/history`;
      const text = Array.from({ length: 300 }, (_, i) => `sch ${"x".repeat(40)} ${i}\n`).join("");
      await Deno.writeTextFile(path, text);
      // A file-size limit of 2 KiB fails the trimmed file's write part-way, as a full disk would;
      // SIGXFSZ ignored turns the kill into an error.
      const script = `import { openHistoryFile } from "${new URL(
        "./history_file.ts",
        import.meta.url,
      )}"; console.log(openHistoryFile(${JSON.stringify(path)}, 100).entries.length);`;
      const printed = await evalWithFileSizeLimit(script, 4);
      assert.equal(printed.trim(), "100");
      assert.equal(await Deno.readTextFile(path), text);
      assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name), ["history"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "history file: a FIFO under its name is no history, not a start blocked for good",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      assert.ok((await new Deno.Command("mkfifo", { args: [`${dir}/history`] }).output()).success);
      assert.deepEqual(openHistoryFile(`${dir}/history`).entries, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

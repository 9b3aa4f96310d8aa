import assert from "node:assert/strict";
import {
  failed,
  failureText,
  outcomeJson,
  outcomeLines,
  outcomeNotices,
  succeeded,
} from "./outcome.ts";

Deno.test("a success's JSON is ok and command first, then the command's own fields", () => {
  const outcome = succeeded("lap", ["1 active peer:", "bob"], { peers: ["bob"], omitted: 0 });
  assert.equal(outcomeJson(outcome), '{"ok":true,"command":"lap","peers":["bob"],"omitted":0}');
  assert.deepEqual(outcomeLines(outcome), ["1 active peer:", "bob"]);
});

Deno.test("a failure's JSON names its kind and message, and its line is the message", () => {
  const outcome = failed("unp", "unpublishFailed", "File unpublication failed");
  assert.deepEqual(JSON.parse(outcomeJson(outcome)), {
    ok: false,
    command: "unp",
    error: "unpublishFailed",
    message: "File unpublication failed",
  });
  assert.deepEqual(outcomeLines(outcome), ["File unpublication failed"]);
});

Deno.test("JSON escapes C1 controls, line separators and bidi overrides, and still parses", () => {
  const name = "a\u0085b\u2028c\u202ed\u2066e";
  const text = outcomeJson(succeeded("sch", [], { text: "x", files: [name], omitted: 0 }));
  assert.doesNotMatch(text, /[\u0085\u2028\u202e\u2066]/);
  assert.match(text, /\\u0085/);
  assert.deepEqual(JSON.parse(text).files, [name]);
});

Deno.test("a failure's reason goes beside its v1 message, in failureText and --json", () => {
  const outcome = failed("unp", "unpublishFailed", "File unpublication failed", "not yours");
  assert.ok(!outcome.ok);
  assert.equal(failureText(outcome), "File unpublication failed: not yours");
  assert.deepEqual(outcomeLines(outcome), ["File unpublication failed"]);
  assert.deepEqual(JSON.parse(outcomeJson(outcome)), {
    ok: false,
    command: "unp",
    error: "unpublishFailed",
    message: "File unpublication failed",
    reason: "not yours",
  });
  const plain = failed("get", "fileNotFound", "File not found");
  assert.ok(!plain.ok);
  assert.equal(failureText(plain), "File not found");
  assert.equal("reason" in plain, false);
});

Deno.test("notices stay out of the v1 lines and the JSON, and only a success has them", () => {
  const outcome = succeeded("get", ["a downloaded successfully"], { file: "a" }, ["Now sharing a"]);
  assert.deepEqual(outcomeLines(outcome), ["a downloaded successfully"]);
  assert.deepEqual(outcomeNotices(outcome), ["Now sharing a"]);
  assert.equal(outcomeJson(outcome), '{"ok":true,"command":"get","file":"a"}');
  assert.deepEqual(outcomeNotices(succeeded("lap", [], {})), []);
  assert.deepEqual(outcomeNotices(failed("get", "fileNotFound", "File not found")), []);
});

import assert from "node:assert/strict";
import {
  decodeV2Reply,
  encodeV2Reply,
  encodeV2Request,
  type FoundName,
  MAX_DATAGRAM_BYTES,
  type V2ReplyBody,
  type V2RequestBody,
} from "../protocol/mod.ts";
import { Authenticator } from "./authenticator.ts";
import { LoginGuard } from "./guard.ts";
import { TrackerState } from "./state.ts";
import { V1Handler } from "./v1_handler.ts";
import { V2Handler } from "./v2_handler.ts";

const sha = (c: string) => c.repeat(64);

/** `alice` asks over v2; `bob`, `carol` and `dave` have live sessions and publish. */
function setup() {
  const state = new TrackerState({ now: () => 0 });
  const parts = {
    state,
    authenticator: new Authenticator({ credentials: new Map() }),
    guard: new LoginGuard({ now: () => 0 }),
  };
  const v2 = new V2Handler({ ...parts, now: () => 0, acceptUnsealed: true });
  const v1 = new V1Handler(parts);
  const from = { hostname: "127.0.0.1", port: 5000 };
  const token = "ab".repeat(16);
  assert.ok(state.openSession(from, "alice", { version: 2, token, timeoutMs: 15_000 }).ok);
  ["bob", "carol", "dave", "erin"].forEach((user, i) => {
    const at = { hostname: "127.0.0.1", port: 5001 + i };
    assert.ok(state.openSession(at, user, { version: i === 3 ? 1 : 2 }).ok);
  });
  let id = 0;
  const ask = (body: V2RequestBody): V2ReplyBody => {
    const outcome = v2.handle(encodeV2Request({ id: ++id, token, body }), from);
    const decoded = decodeV2Reply(outcome.reply ?? new Uint8Array());
    assert.ok(decoded.ok, "a decodable reply");
    return decoded.reply.body;
  };
  const askV1 = (text: string) => {
    const reply = v1.handle(new TextEncoder().encode(text), { hostname: "127.0.0.1", port: 5004 });
    return new TextDecoder().decode(reply.reply);
  };
  const find = (text: string, mode: "fold" | "exact" = "fold"): FoundName[] => {
    const reply = ask({ verb: "FIND", mode, text, offset: 0 });
    assert.ok(reply.status === "FOUND", JSON.stringify(reply));
    return [...reply.found];
  };
  return { state, ask, askV1, find };
}

Deno.test("FIND folds case and normalisation by default; accents stay; FIND e is exact", () => {
  const { state, find } = setup();
  state.publish("bob", "Résumé.txt", { size: 3, sha256: sha("a") });
  const names = (found: FoundName[]) => found.map((entry) => entry.name);
  assert.deepEqual(names(find("re\u0301sume\u0301")), ["Résumé.txt"], "NFD finds NFC");
  assert.deepEqual(names(find("RÉSUMÉ")), ["Résumé.txt"]);
  assert.deepEqual(names(find("résumé.TXT")), ["Résumé.txt"]);
  assert.deepEqual(names(find("RESUME")), [], "case folds, accents do not");
  assert.deepEqual(names(find("résumé", "exact")), []);
  assert.deepEqual(names(find("Résumé", "exact")), ["Résumé.txt"]);
});

Deno.test("names with spaces: FIND and OWN list them; SCH, LPF and v1 never do", () => {
  const { state, ask, askV1, find } = setup();
  state.publish("bob", "my report.pdf", { size: 5, sha256: sha("a") });
  state.publish("bob", "report.pdf", { size: 6, sha256: sha("b") });
  state.publish("alice", "my notes.txt", { size: 1, sha256: sha("c") });
  state.publish("alice", "notes.txt", { size: 1, sha256: sha("c") });
  assert.deepEqual(find("REPORT").map((f) => f.name), ["my report.pdf", "report.pdf"]);
  assert.deepEqual(find("my rep", "exact").map((f) => f.name), ["my report.pdf"]);
  assert.deepEqual(find("report", "exact").map((f) => f.name), ["my report.pdf", "report.pdf"]);
  const sch = ask({ verb: "SCH", text: "report", offset: 0 });
  assert.ok(sch.status === "LIST");
  assert.deepEqual(sch.names, ["report.pdf"]);
  assert.deepEqual(ask({ verb: "LPF", offset: 0 }), {
    status: "LIST",
    total: 1,
    offset: 0,
    names: ["notes.txt"],
  });
  assert.deepEqual(ask({ verb: "OWN", offset: 0 }), {
    status: "LIST",
    total: 2,
    offset: 0,
    names: ["my\\notes.txt", "notes.txt"],
  });
  assert.equal(askV1("sch report"), "report.pdf");
  assert.equal(askV1("sch my"), "No files found");
  assert.equal(askV1("get my\\report.pdf"), "ERR");
  assert.equal(askV1("get my/report.pdf"), "ERR");
});

Deno.test("FIND gives each version of a name with its size, digest and live holders", () => {
  const { state, find } = setup();
  state.publish("bob", "song.ogg", { size: 10, sha256: sha("b") });
  state.publish("carol", "song.ogg", { size: 20, sha256: sha("c") });
  state.publish("dave", "song.ogg", { size: 20, sha256: sha("c") });
  state.publish("erin", "song.ogg"); // a v1 holder: no digest
  state.publish("alice", "song.ogg", { size: 10, sha256: sha("b") }); // the asker does not count
  assert.deepEqual(find("song"), [{
    name: "song.ogg",
    versions: [
      { size: 20, digestPrefix: "c".repeat(16), holders: 2 },
      { size: 10, digestPrefix: "b".repeat(16), holders: 1 },
      { holders: 1 },
    ],
  }]);
});

Deno.test("FIND pages fit one datagram and together list every name once, in order", () => {
  const { state, ask } = setup();
  const name = (i: number) => `Track ${String(i).padStart(3, "0")} ${"x".repeat(i % 50)}.ogg`;
  for (let i = 0; i < 300; i++) {
    state.publish("bob", name(i), { size: i, sha256: sha("b") });
    if (i % 3 === 0) state.publish("carol", name(i), { size: i + 1, sha256: sha("c") });
  }
  const seen: string[] = [];
  let pages = 0;
  for (;;) {
    const page = ask({ verb: "FIND", mode: "fold", text: "track", offset: seen.length });
    assert.ok(page.status === "FOUND");
    assert.equal(page.total, 300);
    assert.ok(encodeV2Reply({ id: 4294967295, body: page }).length <= MAX_DATAGRAM_BYTES);
    seen.push(...page.found.map((entry) => entry.name));
    pages++;
    if (page.found.length === 0 || seen.length >= page.total) break;
  }
  assert.ok(pages > 5, `${pages} pages`);
  assert.deepEqual(seen, Array.from({ length: 300 }, (_, i) => name(i)));
});

import assert from "node:assert/strict";
import { Authenticator } from "./authenticator.ts";
import type { Credential } from "./credentials.ts";
import { type Address, TrackerState } from "./state.ts";
import { LoginGuard } from "./guard.ts";
import { plaintextLogin, V1Handler } from "./v1_handler.ts";

const credentials = new Map<string, Credential>(
  ["alice", "bob"].map((user) => [user, { kind: "plain", password: `${user}-pw` }]),
);
const at = (port: number): Address => ({ hostname: "127.0.0.1", port });

Deno.test("login checks user and password", () => {
  const parts = {
    state: new TrackerState({ now: () => 0 }),
    authenticator: new Authenticator({ credentials }),
  };
  const logIn = (address: Address, user: string, password: string) =>
    plaintextLogin(parts, address, user, password);
  assert.deepEqual(logIn(at(1), "mallory", "x"), { ok: false, reason: "unknown user" });
  assert.deepEqual(logIn(at(1), "alice", "bob-pw"), { ok: false, reason: "wrong password" });
  assert.deepEqual(logIn(at(1), "alice", "alice-pw-longer"), {
    ok: false,
    reason: "wrong password",
  });
  assert.ok(logIn(at(1), "alice", "alice-pw").ok);
});

Deno.test("a v1 sch too broad to count lists what fits, ends with a bound for N, and says so", () => {
  const state = new TrackerState({ now: () => 0, maxSearchSteps: 50 });
  const handler = new V1Handler({
    state,
    authenticator: new Authenticator({ credentials }),
    guard: new LoginGuard({ now: () => 0 }),
  });
  assert.ok(state.openSession(at(1), "alice", { version: 1 }).ok);
  assert.ok(state.openSession(at(2), "bob", { version: 1 }).ok);
  for (let i = 0; i < 400; i++) state.publish("bob", `clip-${i}-${i % 7}.mkv`);
  const ask = (text: string) => handler.handle(new TextEncoder().encode(`sch ${text}`), at(1));
  const broad = ask("clip-");
  assert.equal(broad.limit, "searchCost");
  const reply = new TextDecoder().decode(broad.reply);
  const shown = reply.split(", ").length - 1;
  assert.ok(shown > 0 && reply.startsWith("clip-"), reply);
  assert.ok(reply.endsWith(`\u2026and ${400 - shown} more`), reply);
  const narrow = ask("p-17-");
  assert.equal(narrow.limit, undefined);
  assert.equal(new TextDecoder().decode(narrow.reply), "clip-17-3.mkv");
});

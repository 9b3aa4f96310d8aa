import assert from "node:assert/strict";
import { Authenticator } from "./authenticator.ts";
import type { Credential } from "./credentials.ts";
import { type Address, TrackerState } from "./state.ts";
import { plaintextLogin } from "./v1_handler.ts";

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

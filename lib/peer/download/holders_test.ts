import assert from "node:assert/strict";
import {
  addressesOf,
  expectedFromHolders,
  holderLabel,
  publishedVersions,
  versionLabel,
} from "./holders.ts";

const A = { size: 3, sha256: "a".repeat(64) };
const B = { size: 4, sha256: "b".repeat(64) };

Deno.test("the expected version is the one most holders published; v1 holders have no vote", () => {
  const holders = [
    { user: "x", host: "10.0.0.1", port: 1, ...A },
    { user: "y", host: "10.0.0.2", port: 2, ...B },
    { user: "z", host: "10.0.0.3", port: 3, ...B },
    { user: "old", host: "10.0.0.4", port: 4 },
  ];
  assert.deepEqual(expectedFromHolders(holders), B);
  assert.equal(expectedFromHolders([{ user: "old", host: "10.0.0.4", port: 4 }]), undefined);
});

Deno.test("a holder is named with its address, and its claimed address is tried second", () => {
  const holder = {
    user: "alice",
    host: "::1",
    port: 4000,
    claimed: { host: "192.0.2.7", port: 4001 },
  };
  assert.equal(holderLabel(holder), "alice ([::1]:4000)");
  assert.deepEqual(addressesOf(holder), [
    { host: "::1", port: 4000 },
    { host: "192.0.2.7", port: 4001 },
  ]);
});

Deno.test("every published version is listed, most holders first, ties in the tracker's order", () => {
  const C = { size: 5, sha256: "c".repeat(64) };
  const versions = publishedVersions([
    { user: "x", host: "10.0.0.1", port: 1, ...A },
    { user: "old", host: "10.0.0.4", port: 4 },
    { user: "y", host: "10.0.0.2", port: 2, ...B },
    { user: "w", host: "10.0.0.5", port: 5, ...C },
    { user: "z", host: "10.0.0.3", port: 3, ...B },
  ]);
  assert.deepEqual(versions, [
    { expected: B, users: ["y", "z"] },
    { expected: A, users: ["x"] },
    { expected: C, users: ["w"] },
  ]);
  assert.equal(versionLabel(versions[0]), `4 B, SHA-256 ${"b".repeat(16)}…, from y, z`);
});

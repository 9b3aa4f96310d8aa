/**
 * Random and mutated datagrams for fuzzing the tracker: raw bytes, v2 requests and v1 requests,
 * truncated and with flipped bytes, from a seeded generator so a failure can be replayed.
 *
 * @module
 */

import { encodeV2Request, type V2RequestBody } from "../../lib/protocol/mod.ts";
import type { Address } from "../../lib/tracker/state.ts";
import { seededRandom } from "./lossy_proxy.ts";

const token = "0123456789abcdef0123456789abcdef";
const v2Seeds: V2RequestBody[] = [
  { verb: "LOGIN", user: "alice", clientNonce: "abcdefabcdefabcdefabcdef" },
  {
    verb: "PROOF",
    nonce: "abcdefabcdefabcdefabcdefxyz",
    proof: "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  },
  { verb: "PUB", file: "a.bin", size: 9, sha256: "c".repeat(64) },
  { verb: "GET", file: "a.bin", offset: 0 },
  { verb: "SCH", text: "a", offset: 0 },
  { verb: "HBT" },
];
const v1Seeds = [
  "auth alice alice-pw",
  "auth bob x",
  "lap",
  "pub a.bin",
  "get a.bin",
  "sch a",
  "HBT",
  "TCP 127.0.0.1 9",
];
const encoder = new TextEncoder();

/** One fuzzed datagram and the address it claims to come from. */
export interface FuzzCase {
  readonly datagram: Uint8Array;
  readonly from: Address;
  /** Milliseconds to advance the clock before it. */
  readonly delayMs: number;
}

/** An endless stream of fuzz cases from `seed`. */
export function* fuzzCases(seed: number): Generator<FuzzCase> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  for (;;) {
    let datagram: Uint8Array;
    const kind = random();
    if (kind < 0.3) {
      datagram = new Uint8Array(Math.floor(random() * 80));
      for (let j = 0; j < datagram.length; j++) datagram[j] = Math.floor(random() * 256);
    } else if (kind < 0.65) {
      const body = pick(v2Seeds);
      const withToken = body.verb === "LOGIN" || body.verb === "PROOF" ? {} : { token };
      datagram = encodeV2Request({ id: 1 + Math.floor(random() * 100), body, ...withToken });
    } else {
      datagram = encoder.encode(pick(v1Seeds));
    }
    if (random() < 0.5) datagram = datagram.slice(0, Math.floor(random() * (datagram.length + 1)));
    for (let flips = Math.floor(random() * 3); flips > 0 && datagram.length > 0; flips--) {
      datagram[Math.floor(random() * datagram.length)] = Math.floor(random() * 256);
    }
    const from = {
      hostname: `10.0.${Math.floor(random() * 4)}.${Math.floor(random() * 250)}`,
      port: 1000 + Math.floor(random() * 30),
    };
    yield { datagram, from, delayMs: random() * 50 };
  }
}

import assert from "node:assert/strict";
import {
  encodeV2Reply,
  type Holder,
  MAX_DATAGRAM_BYTES,
  MAX_SEALED_PLAINTEXT_BYTES,
} from "../protocol/mod.ts";
import { holdersPage, listPage } from "./v2_handler.ts";

Deno.test("list and holder pages fit the byte budget they are given, at the widest id", () => {
  const names = Array.from({ length: 400 }, (_, i) => `n${i}-${"x".repeat(20 + (i % 37))}`);
  const holders: Holder[] = Array.from({ length: 8 }, (_, i) => ({
    user: `u${i}${"y".repeat(60)}`,
    host: "1234:5678:9abc:def0:1234:5678:9abc:def0",
    port: 65535,
    size: 2 ** 53 - 1,
    sha256: "ab".repeat(32),
    claimed: { host: "1234:5678:9abc:def0:1234:5678:9abc:def1", port: 65535 },
    tls: { port: 65535, fingerprint: "cd".repeat(32) },
  }));
  for (const budget of [MAX_SEALED_PLAINTEXT_BYTES, MAX_DATAGRAM_BYTES]) {
    for (const body of [listPage(names, 3, budget), holdersPage(holders, 0, budget)]) {
      const size = encodeV2Reply({ id: 4294967295, body }).length;
      assert.ok(size <= budget, `${size} > ${budget}`);
    }
  }
  const sealed = listPage(names, 0, MAX_SEALED_PLAINTEXT_BYTES);
  const clear = listPage(names, 0, MAX_DATAGRAM_BYTES);
  assert.ok(sealed.status === "LIST" && clear.status === "LIST");
  assert.ok(sealed.names.length < clear.names.length);
});

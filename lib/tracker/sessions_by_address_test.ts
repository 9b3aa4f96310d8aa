import assert from "node:assert/strict";
import { SessionsByAddress } from "./sessions_by_address.ts";
import { SeededRandom } from "./test_random.ts";
import { addressKey } from "./session.ts";

interface Entry {
  readonly address: { readonly hostname: string; readonly port: number };
}

Deno.test("sessions by address agree with a map by address key over random adds and deletes", () => {
  const random = new SeededRandom(7);
  const table = new SessionsByAddress<Entry>();
  const model = new Map<string, Entry>();
  const hosts = ["10.0.0.1", "10.0.0.2", "::1", "fe80::1", "192.168.1.9"];
  for (let step = 0; step < 5000; step++) {
    // A fresh object each time, as the server's datagrams bring: lookups go by value.
    const address = { hostname: hosts[random.below(hosts.length)], port: 5000 + random.below(4) };
    const key = addressKey(address);
    const present = model.get(key);
    assert.equal(table.get({ ...address }), present);
    if (present === undefined) {
      const entry = { address };
      table.add(entry);
      model.set(key, entry);
    } else if (random.below(2) === 0) {
      assert.ok(!table.delete({ address }), "another entry at the same address is not removed");
      assert.ok(table.delete(present));
      model.delete(key);
    }
    assert.equal(table.size, model.size);
  }
});

Deno.test("a host that had two sessions and is back to one answers by port as before", () => {
  const table = new SessionsByAddress<Entry>();
  const a = { address: { hostname: "10.0.0.1", port: 1 } };
  const b = { address: { hostname: "10.0.0.1", port: 2 } };
  table.add(a);
  table.add(b);
  assert.ok(table.delete(b));
  assert.equal(table.get({ hostname: "10.0.0.1", port: 1 }), a);
  assert.equal(table.get({ hostname: "10.0.0.1", port: 2 }), undefined);
  assert.ok(!table.delete(b), "a removed entry is not removed twice");
  assert.equal(table.size, 1);
});

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

Deno.test("sessions by address agree with a map through growth, wrap-around runs and shrinking", () => {
  for (const seed of [0, 1, 0xdead_beef]) {
    const random = new SeededRandom(seed + 11);
    const table = new SessionsByAddress<Entry>({ seed, hashBits: seed === 1 ? 3 : undefined });
    const model = new Map<string, Entry>();
    const hosts = Array.from({ length: 40 }, (_, i) => i % 5 === 0 ? `fe80::${i}` : `10.0.${i}.1`);
    const address = () => ({ hostname: random.pick(hosts), port: 1 + random.below(60) });
    // Fills to over 1,000 entries, then empties most of them: the slots grow and shrink again.
    let peak = 0;
    for (let step = 0; step < 12_000; step++) {
      const fill = step < 6_000 ? 3 : 1;
      const at = address();
      const key = addressKey(at);
      const present = model.get(key);
      if (present === undefined && random.below(4) < fill) {
        const entry = { address: at };
        table.add(entry);
        model.set(key, entry);
      } else if (present !== undefined && random.below(4) >= fill) {
        assert.ok(table.delete(present));
        assert.ok(!table.delete(present), "a removed entry is not removed twice");
        model.delete(key);
      }
      assert.equal(table.size, model.size);
      peak = Math.max(peak, model.size);
      // A lookup by a copy (the server's datagrams bring fresh strings), hit or miss.
      const probe = address();
      assert.equal(
        table.get({ hostname: `${probe.hostname}`, port: probe.port }),
        model.get(addressKey(probe)),
      );
    }
    for (const [key, entry] of model) {
      assert.equal(table.get({ ...entry.address }), entry, key);
    }
  }
});

Deno.test("addresses that differ only in spelling or past 16 bits of port are never confused", () => {
  // Canonical dotted IPv4 addresses are kept as integers; these must stay apart from them and
  // from each other.
  const hosts = [
    "10.0.0.1",
    "010.0.0.1",
    "10.0.0.01",
    "10.0.00.1",
    "10.0.0.1.",
    ".10.0.0.1",
    "10.0..0.1",
    "10..0.1",
    "10.0.0.",
    "10.0.1.0",
    "1:.0.0.1",
    "20.0.0.1",
    "10.0.0",
    "10.0.0.1.5",
    "10.0.0.256",
    "10.0.0.0",
    "0.0.0.0",
    "255.255.255.255",
    "255.255.255.254",
    "::ffff:10.0.0.1",
    "10.0.0.1x",
    "",
  ];
  const ports = [0, 1, 2, 65_535, 65_536, 65_537, 131_072, -1, 1.5, 5000];
  const random = new SeededRandom(3);
  // No bits of hash: every address has the same tag, so only the keys can tell them apart.
  const table = new SessionsByAddress<Entry>({ seed: 42, hashBits: 0 });
  const model = new Map<string, Entry>();
  for (let step = 0; step < 4000; step++) {
    const at = { hostname: random.pick(hosts), port: random.pick(ports) };
    const key = addressKey(at);
    const present = model.get(key);
    assert.equal(table.get({ hostname: [...at.hostname].join(""), port: at.port }), present, key);
    if (present === undefined) {
      const entry = { address: at };
      table.add(entry);
      model.set(key, entry);
    } else if (random.below(3) === 0) {
      assert.ok(table.delete(present));
      model.delete(key);
    }
  }
  for (const hostname of hosts) {
    for (const port of ports) {
      assert.equal(table.get({ hostname, port }), model.get(addressKey({ hostname, port })));
    }
  }
  assert.equal(table.size, model.size);
});

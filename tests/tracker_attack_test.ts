/**
 * Attacks from issue 10 against the real tracker process over real UDP: each shows the attack
 * now fails.
 */

import assert from "node:assert/strict";
import { encodeV2Request } from "../lib/protocol/mod.ts";
import { TrackerProcess } from "./support/programs.ts";
import { UdpProbe } from "./support/udp_probe.ts";
import { SealedClient, type SealedLoginError } from "./support/sealed_client.ts";
import { DatagramRouter } from "../lib/tracker/datagram_router.ts";
import type { Credential } from "../lib/tracker/credentials.ts";

const text = (bytes: Uint8Array | undefined) => bytes && new TextDecoder().decode(bytes);

Deno.test("a process reusing a dead peer's UDP port gets no WELCOME and no token", async () => {
  const tracker = await TrackerProcess.start();
  try {
    const victim = new SealedClient({ trackerPort: tracker.port });
    const port = victim.port;
    await victim.login("alice", "alice-pw");
    const token = victim.token as string;
    await victim.close(); // the peer dies; its session lives on for a while
    const thief = new SealedClient({ trackerPort: tracker.port, port });
    try {
      // The attack of the issue: request id 2 (the victim's PROOF), padded like a handshake.
      await thief.send(
        encodeV2Request({ id: 2, body: { verb: "LOGIN", user: "x", clientNonce: "y" } }),
      );
      const reply = text(await thief.receive(1000));
      assert.ok(reply === undefined || !reply.includes("WELCOME"), reply);
      assert.ok(reply === undefined || !reply.includes(token), reply);
      // With the token learnt elsewhere it still cannot act: it does not have the keys.
      thief.token = token;
      thief.keys = { request: new Uint8Array(32), reply: new Uint8Array(32) };
      await thief.send(thief.seal(thief.plaintext({ verb: "BYE" })));
      assert.equal(await thief.receive(400), undefined);
    } finally {
      await thief.close();
    }
  } finally {
    await tracker.stop();
  }
});

Deno.test("a re-login from the same address replaces the session; from elsewhere it is ERR live <seconds>", async () => {
  const tracker = await TrackerProcess.start();
  const alice = new SealedClient({ trackerPort: tracker.port });
  const elsewhere = new SealedClient({ trackerPort: tracker.port });
  try {
    await alice.login("alice", "alice-pw");
    const oldToken = alice.token as string;
    const oldKeys = alice.keys;
    await alice.login("alice", "alice-pw");
    assert.notEqual(alice.token, oldToken);
    assert.deepEqual(await alice.request({ verb: "HBT" }), { status: "OK" });
    // The old session is over: its token is gone.
    const stale = new SealedClient({ trackerPort: tracker.port });
    try {
      stale.token = oldToken;
      stale.keys = oldKeys;
      await stale.send(stale.seal(stale.plaintext({ verb: "HBT" })));
      assert.equal(text(await stale.receive()), `PS2 * ${oldToken} gone`);
    } finally {
      await stale.close();
    }
    const refused = await elsewhere.login("alice", "alice-pw").then(
      () => undefined,
      (error: SealedLoginError) => error.reply,
    );
    assert.ok(refused?.status === "ERR" && refused.code === "live", JSON.stringify(refused));
    assert.ok(refused.seconds !== undefined && refused.seconds >= 2 && refused.seconds <= 3);
  } finally {
    await alice.close();
    await elsewhere.close();
    await tracker.stop();
  }
});

Deno.test("a locked-out login is told how many seconds to wait", async () => {
  const tracker = await TrackerProcess.start();
  try {
    let last;
    for (let i = 0; i < 5; i++) {
      const client = new SealedClient({ trackerPort: tracker.port });
      try {
        last = await client.login("bob", "wrong").then(
          () => undefined,
          (error: SealedLoginError) => error.reply,
        );
      } finally {
        await client.close();
      }
    }
    assert.ok(last?.status === "ERR" && last.code === "locked", JSON.stringify(last));
    assert.ok(last.seconds !== undefined && last.seconds >= 1 && last.seconds <= 2);
  } finally {
    await tracker.stop();
  }
});

Deno.test("a registered TCP address must be the sender's own host unless the operator allows others", async () => {
  const tracker = await TrackerProcess.start();
  const v1 = new UdpProbe(tracker.port);
  const bob = new UdpProbe(tracker.port);
  const alice = new SealedClient({ trackerPort: tracker.port });
  try {
    assert.equal(await v1.ask("auth carol carol-pw"), "OK");
    assert.equal(await v1.ask("TCP 10.9.8.7 22", 300), undefined);
    await tracker.program.stdout.waitFor("TCP names another host than the sender's");
    assert.equal(await v1.ask("pub x.txt"), "File published successfully");
    assert.equal(await bob.ask("auth bob bob-pw"), "OK");
    assert.equal(await bob.ask("get x.txt"), "No active peer has this file");
    // v1 interop: the peer's own address works.
    await v1.send(`TCP 127.0.0.1 ${v1.port}`);
    assert.equal(await bob.ask("get x.txt"), `carol 127.0.0.1 ${v1.port}`);
    await alice.login("alice", "alice-pw");
    assert.deepEqual(await alice.request({ verb: "TCP", host: "127.0.0.2", port: 80 }), {
      status: "ERR",
      code: "address",
    });
    assert.deepEqual(await alice.request({ verb: "TCP", host: "::ffff:127.0.0.1", port: 80 }), {
      status: "OK",
    });
  } finally {
    await v1.close();
    await bob.close();
    await alice.close();
    await tracker.stop();
  }
});

Deno.test("the right password from a clean host gets in at once while a stranger hammers from 29 addresses", async () => {
  const tracker = await TrackerProcess.start();
  const strangers = Array.from(
    { length: 29 },
    (_, i) => new SealedClient({ trackerPort: tracker.port, hostname: `127.0.0.${i + 2}` }),
  );
  const alice = new SealedClient({ trackerPort: tracker.port });
  const v1Alice = new UdpProbe(tracker.port);
  let hammering = true;
  const replies: string[] = [];
  const ask = async (client: SealedClient, datagram: Uint8Array) => {
    await client.send(datagram);
    const reply = text(await client.receive(300));
    if (reply !== undefined) replies.push(reply);
    return reply;
  };
  const hammer = strangers.map(async (stranger, index) => {
    for (let id = 1; hammering; id += 2) {
      await ask(stranger, new TextEncoder().encode("auth alice x"));
      const challenge = await ask(
        stranger,
        encodeV2Request({
          id,
          body: { verb: "LOGIN", user: "alice", clientNonce: `n${index}x${id}` },
        }),
      );
      const nonce = challenge?.split(" ")[3];
      if (challenge?.includes("CHALLENGE") && nonce) {
        await ask(
          stranger,
          encodeV2Request({
            id: id + 1,
            body: { verb: "PROOF", nonce, proof: "A".repeat(43) + "=" },
          }),
        );
      }
    }
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const started = performance.now();
    await alice.login("alice", "alice-pw");
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 10_000, `${elapsed} ms`);
    assert.deepEqual(await alice.request({ verb: "BYE" }), { status: "OK" });
    // v1 too: the real user's plaintext auth from the clean host is accepted.
    assert.equal(await v1Alice.ask("auth alice alice-pw", 2000), "OK");
    // The stranger was refused, and slowed: locked out on its own addresses.
    assert.ok(replies.some((reply) => / ERR locked \d+$/.test(reply)), "stranger locked out");
    assert.ok(!replies.some((reply) => reply.includes("WELCOME") || reply === "OK"));
  } finally {
    hammering = false;
    await Promise.all(hammer);
    await Promise.all([...strangers, alice].map((client) => client.close()));
    await v1Alice.close();
    await tracker.stop();
  }
});

// The kernel lets an unprivileged test speak only from ::1, so the next two give the tracker's
// router (the whole tracker minus its socket) the source addresses an IPv6 attacker would use.
const ipv6Credentials = new Map<string, Credential>(
  ["alice", "bob"].map((user) => [user, { kind: "plain", password: `${user}-pw` }]),
);
/** The `index`-th address of the attacker's /64, 2001:db8:1:2::/64. */
const inAttackersPrefix = (index: number) => `2001:db8:1:2:${(index + 1).toString(16)}::7`;

Deno.test("a password guesser rotating through the addresses of one IPv6 /64 is throttled as one host", () => {
  const router = new DatagramRouter({ credentials: ipv6Credentials, now: () => 0 });
  const ask = (text: string, hostname: string) =>
    new TextDecoder().decode(
      router.handle(new TextEncoder().encode(text), { hostname, port: 4000 }).reply,
    );
  // One guess from each of 40 fresh addresses: every one would get 3 free failures if an
  // address were a host, so guessing would never slow down.
  for (let i = 0; i < 40; i++) {
    assert.equal(ask(`auth alice guess${i}`, inAttackersPrefix(i)), "ERR");
  }
  // The prefix is locked out for alice, as one host would be (other users there are not)...
  assert.equal(ask("auth alice alice-pw", inAttackersPrefix(100)), "ERR", "alice in the /64");
  assert.equal(ask("auth bob bob-pw", inAttackersPrefix(101)), "OK", "bob in the /64");
  // ...and alice is not locked out anywhere else: from another prefix she gets in at once.
  assert.equal(ask("auth alice alice-pw", "2001:db8:1:3::7"), "OK");
});

Deno.test("a flood from many addresses of one IPv6 /64 is cut at one host's rate", () => {
  let clock = 0;
  const router = new DatagramRouter({ credentials: ipv6Credentials, now: () => clock });
  const lap = new TextEncoder().encode("lap");
  let answered = 0;
  for (let i = 0; i < 20_000; i++) {
    clock += 0.05; // 20,000 datagrams in one second, each from a new address
    if (router.handle(lap, { hostname: inAttackersPrefix(i), port: 4000 }).reply) answered++;
  }
  // The host limit: a burst of 4,000 and 2,000 per second.
  assert.ok(answered <= 4000 + 2000 + 1, `${answered} answered`);
  const elsewhere = router.handle(lap, { hostname: "2001:db8:1:3::7", port: 4000 });
  assert.equal(new TextDecoder().decode(elsewhere.reply), "ERR");
});

/**
 * Sends each of `payloads` in a UDP datagram to 127.0.0.1:`port` from a forged source,
 * `from.hostname`:`from.port` (port 0 too), through a raw socket (python3; needs CAP_NET_RAW):
 * what a spoofing attacker sends. True when sent; false where raw sockets are not allowed.
 */
async function sendSpoofed(
  from: { readonly hostname: string; readonly port: number },
  port: number,
  payloads: readonly string[],
): Promise<boolean> {
  const script = "import socket,struct,sys\n" +
    "src,sport,port=sys.argv[1],int(sys.argv[2]),int(sys.argv[3])\n" +
    "s=socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_RAW)\n" +
    "def csum(b):\n" +
    " t=sum(struct.unpack('!10H',b)); t=(t>>16)+(t&0xffff); t+=t>>16; return ~t&0xffff\n" +
    "for p in sys.argv[4:]:\n" +
    " p=p.encode(); u=struct.pack('!HHHH',sport,port,8+len(p),0)+p\n" +
    " h=struct.pack('!BBHHHBBH4s4s',0x45,0,20+len(u),0,0,64,17,0," +
    "socket.inet_aton(src),socket.inet_aton('127.0.0.1'))\n" +
    " h=h[:10]+struct.pack('!H',csum(h))+h[12:]\n" +
    " s.sendto(h+u,('127.0.0.1',0))\n";
  try {
    const { success } = await new Deno.Command("python3", {
      args: ["-c", script, from.hostname, String(from.port), String(port), ...payloads],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** Raw sockets (forged sources) need root here; elsewhere the tests that use them are skipped. */
const canSpoof = Deno.uid() === 0;
/** A test name, saying so when the test is skipped for want of raw sockets. */
const spoofing = (name: string) =>
  canSpoof ? name : `${name} (skipped: forging a source address needs a raw socket, so root)`;

Deno.test({
  name: spoofing(
    "replies that cannot be sent to spoofed sources are logged once per interval, not per datagram",
  ),
  ignore: !canSpoof,
  fn: async () => {
    const tracker = await TrackerProcess.start(undefined, ["--quiet"]);
    try {
      const lap = Array.from({ length: 200 }, () => "lap");
      assert.ok(await sendSpoofed({ hostname: "127.0.0.1", port: 0 }, tracker.port, lap));
      await tracker.program.stdout.waitFor("Send error");
      // The tracker is still serving, and said it once for the 200.
      const probe = new UdpProbe(tracker.port);
      try {
        assert.equal(await probe.ask("lap"), "ERR");
      } finally {
        await probe.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      const lines = tracker.program.stdout.text.split("\n").filter((line) =>
        line.includes("Send error")
      );
      assert.equal(lines.length, 1, lines.join("\n"));
    } finally {
      await tracker.stop();
    }
  },
});

Deno.test({
  name: spoofing(
    "v1 auth failures forged from a user's own host never lock that user's v2 login out",
  ),
  ignore: !canSpoof,
  fn: async () => {
    const tracker = await TrackerProcess.start();
    const alice = new SealedClient({ trackerPort: tracker.port, hostname: "127.0.0.5" });
    const bob = new SealedClient({ trackerPort: tracker.port, hostname: "127.0.0.5" });
    const v1 = new UdpProbe(tracker.port, "127.0.0.5", { trackerHost: "127.0.0.1" });
    try {
      // v1's auth needs no round trip, so anyone can send it from alice's address: four
      // failures for alice, and twenty for other names (the host's own threshold).
      const forged = [
        ...Array.from({ length: 4 }, () => "auth alice x"),
        ...Array.from({ length: 20 }, (_, i) => `auth user${i} x`),
      ];
      assert.ok(await sendSpoofed({ hostname: "127.0.0.5", port: 40_000 }, tracker.port, forged));
      await tracker.program.stdout.waitFor("from user19");
      // v1 from that host is slowed: it cannot tell these failures from real ones...
      assert.equal(await v1.ask("auth alice alice-pw"), "ERR");
      // ...but a v2 login proves its address with the challenge's round trip, and gets in.
      await alice.login("alice", "alice-pw");
      await bob.login("bob", "bob-pw");
    } finally {
      await Promise.all([alice.close(), bob.close(), v1.close()]);
      await tracker.stop();
    }
  },
});

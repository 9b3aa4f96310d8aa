/**
 * The tracker's command line: help, usage errors, and refusing to start on bad setup.
 */

import assert from "node:assert/strict";
import { runProgram, TrackerProcess } from "./support/programs.ts";
import { UdpProbe } from "./support/udp_probe.ts";

async function inTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "peersync-cli-" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("tracker --help prints usage and exits 0", async () => {
  const result = await runProgram("tracker.ts", ["--help"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /Usage: peersync-tracker \[options\] <port>/);
  assert.match(result.stdout, /--credentials FILE/);
});

Deno.test("tracker usage errors print one line and exit 2", async () => {
  for (
    const args of [
      [],
      ["--bogus", "5000"],
      ["1", "2"],
      ["--log-format", "xml", "5000"],
      ["--log-level", "loud", "5000"],
      ["--max-sessions", "0", "5000"],
      ["--host-rate", "fast", "5000"],
      ["--session-timeout", "1000", "5000"],
    ]
  ) {
    const result = await runProgram("tracker.ts", args);
    assert.equal(result.code, 2, args.join(" "));
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, /^peersync-tracker: .*\(see --help\)\n$/);
  }
});

Deno.test("tracker refuses an invalid port as a usage error: one line and exit 2", async () => {
  for (const port of ["70000", "abc", "1.5"]) {
    const result = await runProgram("tracker.ts", [port]);
    assert.equal(result.code, 2, port);
    assert.match(result.stderr, /\(see --help\)\n$/);
    assert.match(result.stderr, /^peersync-tracker: invalid port .*\n$/);
  }
});

Deno.test("a negative number is said to be invalid as the value it is, not taken for an option", async () => {
  const cases: [string[], string][] = [
    [["-1"], 'invalid port "-1"'],
    [["--max-sessions", "-1", "5000"], 'invalid --max-sessions "-1"'],
    [["-c", "-5", "--store", "memory", "70000"], 'invalid port "70000"'],
  ];
  for (const [args, said] of cases) {
    const result = await runProgram("tracker.ts", args);
    assert.equal(result.code, 2, args.join(" "));
    assert.match(result.stderr, /^peersync-tracker: [^\n]* \(see --help\)\n$/);
    assert.ok(result.stderr.includes(said), result.stderr);
  }
  const peer = await runProgram("peer.ts", ["--timeout", "-5", "5000"]);
  assert.equal(peer.code, 2);
  assert.equal(
    peer.stderr,
    "peersync-peer: invalid --timeout -5 (expected 1-600000 ms) (see --help)\n",
  );
});

Deno.test("a tracker on IPv6 says where it listens as the address is typed, [::1]:PORT", async () => {
  const tracker = await TrackerProcess.start(undefined, ["--host", "::1", "--store", "memory"]);
  try {
    assert.match(
      tracker.program.stdout.text,
      new RegExp(`listening on \\[::1\\]:${tracker.port} `),
    );
  } finally {
    await tracker.stop();
  }
});

Deno.test("tracker refuses a missing credentials file, naming it", async () => {
  await inTempDir(async (dir) => {
    const result = await runProgram("tracker.ts", ["--credentials", `${dir}/nope.txt`, "0"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`nope\\.txt: cannot read credentials: file not found`));
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace");
  });
});

Deno.test("tracker refuses a credentials file with a bad line, naming file and line", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/users.txt`, "alice pw\n\nbob\n");
    const result = await runProgram("tracker.ts", ["--credentials", `${dir}/users.txt`, "0"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /users\.txt:3: expected `user password`/);
  });
});

Deno.test("tracker refuses to start on a credentials file with no users, keeping the database", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/credentials.txt`, "alice alice-pw\n");
    const tracker = await TrackerProcess.startIn(dir);
    const alice = new UdpProbe(tracker.port);
    try {
      assert.equal(await alice.ask("auth alice alice-pw"), "OK");
      assert.equal(await alice.ask("pub notes.txt"), "File published successfully");
    } finally {
      await alice.close();
      await tracker.stop();
    }
    await Deno.writeTextFile(`${dir}/credentials.txt`, "# nobody yet\n");
    const refused = await runProgram("tracker.ts", ["-c", `${dir}/credentials.txt`, "0"]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `peersync-tracker: ${dir}/credentials.txt: no users in it (only blank lines and comments)\n`,
    );
    await Deno.writeTextFile(`${dir}/credentials.txt`, "alice alice-pw\n");
    const again = await TrackerProcess.startIn(dir);
    try {
      assert.match(again.program.stdout.text, /Loaded 1 publications? of 1 users? /);
    } finally {
      await again.stop();
    }
  });
});

Deno.test("tracker reads credentials.txt from the directory it was started in", async () => {
  await inTempDir(async (dir) => {
    const result = await runProgram("tracker.ts", ["0"], { cwd: dir });
    assert.equal(result.code, 1);
    assert.ok(result.stderr.includes(`${dir}/credentials.txt`), result.stderr);
  });
});

Deno.test("tracker on a port already in use says so and exits 1", async () => {
  const tracker = await TrackerProcess.start();
  try {
    const result = await runProgram("tracker.ts", [
      "--credentials",
      `${tracker.dir}/credentials.txt`,
      String(tracker.port),
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot listen on 127\.0\.0\.1:\d+: address already in use\n$/);
  } finally {
    await tracker.stop();
  }
});

Deno.test("an IPv6 port already in use is named as it is typed, [::1]:PORT", async () => {
  const taken = Deno.listenDatagram({ transport: "udp", hostname: "::1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    const dir = await Deno.makeTempDir({ prefix: "peersync-v6-" });
    try {
      await Deno.writeTextFile(`${dir}/credentials.txt`, "alice pw\n");
      const result = await runProgram("tracker.ts", [
        "--credentials",
        `${dir}/credentials.txt`,
        "--store",
        "memory",
        "--host",
        "::1",
        String(port),
      ]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`cannot listen on \\[::1\\]:${port}: `));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  } finally {
    taken.close();
  }
});

Deno.test("tracker logs JSON lines when asked, each field with one meaning", async () => {
  const tracker = await TrackerProcess.start(undefined, ["--log-format", "json"]);
  const probe = new UdpProbe(tracker.port);
  try {
    const line = await tracker.program.stdout.waitFor(/^\{.*"event":"listening".*\}$/m);
    const listening = JSON.parse(line[0]);
    assert.equal(listening.listenPort, tracker.port);
    assert.equal(listening.listenHost, "127.0.0.1");
    assert.equal(listening.level, "info");
    assert.match(listening.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(await probe.ask("auth alice alice-pw"), "OK");
    const datagram = JSON.parse(
      (await tracker.program.stdout.waitFor(/^\{.*"event":"datagram".*\}$/m))[0],
    );
    assert.equal(datagram.peer, `127.0.0.1:${probe.port}`);
    assert.equal(datagram.user, "alice");
    assert.equal(datagram.command, "AUTH");
    assert.equal(datagram.reply, "OK");
    for (const parsed of [listening, datagram]) assert.equal(parsed.port, undefined);
  } finally {
    await probe.close();
    await tracker.stop();
  }
});

Deno.test("tracker --log-level debug adds heartbeats; the default info leaves them out", async () => {
  for (const [args, logged] of [[[], false], [["--log-level", "debug"], true]] as const) {
    const tracker = await TrackerProcess.start(undefined, [...args]);
    const probe = new UdpProbe(tracker.port);
    try {
      assert.equal(await probe.ask("auth bob bob-pw"), "OK");
      await probe.send("HBT");
      assert.equal(await probe.ask("lap"), "No active peers");
      await tracker.program.stdout.waitFor("Received LAP from bob");
      assert.equal(tracker.program.stdout.text.includes("Received HBT from bob"), logged);
    } finally {
      await probe.close();
      await tracker.stop();
    }
  }
});

Deno.test("every line logged before a clean stop is written", async () => {
  const tracker = await TrackerProcess.start();
  const probe = new UdpProbe(tracker.port);
  try {
    assert.equal(await probe.ask("auth carol carol-pw"), "OK");
    for (let i = 0; i < 50; i++) assert.equal(await probe.ask(`get f${i}`), "File not found");
  } finally {
    await probe.close();
    await tracker.stop();
  }
  const text = tracker.program.stdout.text;
  assert.equal(text.match(/Received GET from carol; sent File not found/g)?.length, 50);
  assert.match(text, /INFO {2}Tracker stopped\n$/);
});

Deno.test("limits come from --config FILE, and a flag beats the file", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/limits.json`, '{"max-sessions": 1, "host-rate": 50000}');
    for (const [extra, bobLogsIn] of [[[], false], [["--max-sessions", "2"], true]] as const) {
      const tracker = await TrackerProcess.start(undefined, [
        "--config",
        `${dir}/limits.json`,
        ...extra,
      ]);
      const alice = new UdpProbe(tracker.port);
      const bob = new UdpProbe(tracker.port);
      try {
        assert.equal(await alice.ask("auth alice alice-pw"), "OK");
        assert.equal(await bob.ask("auth bob bob-pw"), bobLogsIn ? "OK" : "ERR");
        if (!bobLogsIn) await tracker.program.stdout.waitFor("Limit: session table full");
      } finally {
        await alice.close();
        await bob.close();
        await tracker.stop();
      }
    }
  });
});

Deno.test("a config file saved with a byte-order mark is read; a missing one is said in plain words", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/limits.json`, '\uFEFF{"max-sessions": 1}');
    const tracker = await TrackerProcess.start(undefined, ["--config", `${dir}/limits.json`]);
    await tracker.stop();
    const missing = await runProgram("tracker.ts", ["--config", `${dir}/nope.json`, "0"]);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      `peersync-tracker: ${dir}/nope.json: cannot read the config file: file not found\n`,
    );
  });
});

Deno.test("a config file with an unknown setting or a bad value stops the start, naming it", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/credentials.txt`, "alice pw\n");
    for (
      const [text, problem] of [
        ['{"colour": 3}', /unknown setting "colour"/],
        ['{"max-sessions": -1}', /"max-sessions" -1: expected a whole number/],
        ["not json", /not JSON/],
      ] as const
    ) {
      await Deno.writeTextFile(`${dir}/limits.json`, text);
      const result = await runProgram("tracker.ts", ["--config", "limits.json", "0"], { cwd: dir });
      assert.equal(result.code, 1, text);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, /limits\.json/);
      assert.match(result.stderr, problem);
    }
  });
});

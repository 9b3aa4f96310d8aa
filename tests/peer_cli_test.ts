import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startUploadServer } from "../lib/peer/upload/mod.ts";
import { type FakeTracker, startFakeTracker } from "../lib/peer/control/testing/fake_v1_tracker.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WELCOME =
  "Welcome to PeerSync!\nAvailable commands are: get, lap, lpf, pub, sch, unp, xit.\n";
const LOGIN = "Enter username: Enter password: ";
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The peer as `deno task peer` runs it, with standard input, output and error piped. */
function peerCommand(args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env=INIT_CWD",
      `--config=${join(ROOT, "deno.json")}`,
      join(ROOT, "peer.ts"),
      ...args,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
}

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the peer with `input` as its whole standard input. */
async function runPeer(args: string[], input = ""): Promise<Outcome> {
  const child = peerCommand(args).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(encoder.encode(input));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** A tracker that knows alice (password `pw`) and answers the other commands from `replies`. */
function scriptedTracker(replies: Record<string, string> = {}): FakeTracker {
  return startFakeTracker((request) => {
    if (request.startsWith("auth ")) return request === "auth alice pw" ? "OK" : "ERR";
    if (request === "HBT" || request.startsWith("TCP ")) return undefined;
    return replies[request] ?? (request === "lpf" ? "No published files" : "ERR");
  });
}

/** A temporary share folder for one test, removed afterwards along with the tracker. */
async function withShare(
  tracker: FakeTracker,
  run: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "peersync-peer-" });
  try {
    await run(dir);
  } finally {
    await tracker.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("peer asks again after a wrong password, then welcomes the user", async () => {
  const tracker = scriptedTracker();
  await withShare(tracker, async (dir) => {
    const outcome = await runPeer(
      ["--dir", dir, String(tracker.port)],
      "alice\nwrong\nalice\npw\nxit\n",
    );
    // Said once: the fake tracker is v1-only, so the password crossed in clear.
    assert.equal(
      outcome.stderr,
      "peersync-peer: the tracker speaks only PeerSync v1; falling back to v1 " +
        "(your password will cross the network in clear)\n",
    );
    assert.equal(
      outcome.stdout,
      `${LOGIN}Authentication failed. Please try again.\n${LOGIN}${WELCOME}> Goodbye!\n`,
    );
    assert.equal(outcome.code, 0);
    assert.deepEqual(tracker.received.slice(0, 2), ["auth alice wrong", "auth alice pw"]);
    assert.match(tracker.received[2], /^TCP 127\.0\.0\.1 [1-9]\d*$/);
    assert.equal(tracker.received[3], "lpf");
  });
});

Deno.test("with --require-v2 the peer refuses a v1-only tracker and never sends the password", async () => {
  const tracker = scriptedTracker();
  await withShare(tracker, async (dir) => {
    const outcome = await runPeer(
      ["--require-v2", "--dir", dir, String(tracker.port)],
      "alice\npw\nxit\n",
    );
    assert.equal(outcome.code, 1);
    assert.equal(
      outcome.stderr,
      "peersync-peer: the tracker speaks only PeerSync v1, whose login sends the password in " +
        "clear; not logging in (--require-v2)\n",
    );
    assert.deepEqual(tracker.received, [], "no v1 auth was sent");
  });
});

Deno.test("a user name with a space fails login without asking the tracker", async () => {
  const tracker = scriptedTracker();
  await withShare(tracker, async (dir) => {
    const outcome = await runPeer(["--dir", dir, String(tracker.port)], "al ice\npw\nalice\npw\n");
    assert.equal(
      outcome.stdout,
      `${LOGIN}Authentication failed. Please try again.\n${LOGIN}${WELCOME}> Goodbye!\n`,
    );
    assert.equal(outcome.code, 0);
    assert.equal(tracker.received[0], "auth alice pw");
  });
});

Deno.test("commands print the tracker's replies in the v1 terminal wording", async () => {
  const tracker = scriptedTracker({
    lap: "bob, carol",
    sch: "ERR",
    "sch rep": "report.pdf, \u2026and 4 more",
    "sch zzz": "No files found",
    "unp a.txt": "File unpublication failed",
    "get x.txt": "File not found",
    "get y.txt": "No active peer has this file",
  });
  await withShare(tracker, async (dir) => {
    const input = "alice\npw\nlap\nlpf\nsch rep\nsch zzz\nunp a.txt\nget x.txt\nget y.txt\n\nxit\n";
    const outcome = await runPeer(["--dir", dir, String(tracker.port)], input);
    assert.equal(
      outcome.stdout,
      LOGIN + WELCOME +
        "> 2 active peers:\nbob\ncarol\n" +
        "> No files published\n" +
        "> 5 files found:\nreport.pdf\n\u2026and 4 more\n" +
        "> No files found\n" +
        "> File unpublication failed\n" +
        "> File not found\n" +
        "> No active peer has this file\n" +
        "> > Goodbye!\n",
    );
    assert.equal(outcome.code, 0);
  });
});

Deno.test("an unknown command or a missing argument prints one short line pointing to help, not the command list", async () => {
  const tracker = scriptedTracker();
  await withShare(tracker, async (dir) => {
    const outcome = await runPeer(
      ["--dir", dir, String(tracker.port)],
      "alice\npw\nfoo\npub\nlap x\nget ../x\nsch -x foo\n",
    );
    assert.equal(
      outcome.stdout,
      LOGIN + WELCOME +
        `> Unknown command "foo". Type help for the list of commands.\n` +
        "> pub needs a file name. Type help pub for its usage.\n" +
        "> lap takes no argument. Type help lap for its usage.\n" +
        `> Invalid file name "../x": path separator\n` +
        "> unknown option -x for sch; usage: sch [-e] [-l] TEXT\n" +
        "> Goodbye!\n",
    );
    assert.equal(outcome.code, 0);
    assert.deepEqual(
      tracker.received.filter((request) => !/^(auth|TCP|lpf|HBT)/.test(request)),
      [],
    );
  });
});

Deno.test("a line of megabytes (a file pasted by mistake) is refused in one short line, at once", async () => {
  const tracker = scriptedTracker({ lap: "alice" });
  await withShare(tracker, async (dir) => {
    const long = `pub ${"x".repeat(4 * 1024 * 1024)}`;
    const started = Date.now();
    const outcome = await runPeer(
      ["--dir", dir, String(tracker.port)],
      `alice\npw\n${long}\nhelp ${long}\nlap\n`,
    );
    const refusal = `> Line too long (${long.length} characters): a command is at most 8192; ` +
      "nothing done\n";
    assert.equal(
      outcome.stdout,
      LOGIN + WELCOME + refusal + refusal.replace(`(${long.length}`, `(${long.length + 5}`) +
        "> 1 active peer:\nalice\n> Goodbye!\n",
    );
    assert.equal(outcome.code, 0);
    assert.ok(Date.now() - started < 8000, `${Date.now() - started} ms`);
  });
});

Deno.test("pub of a file missing from the share folder sends nothing to the tracker", async () => {
  const tracker = scriptedTracker({ "pub here.txt": "File published successfully" });
  await withShare(tracker, async (dir) => {
    await Deno.writeTextFile(join(dir, "here.txt"), "hello");
    const outcome = await runPeer(
      ["--dir", dir, String(tracker.port)],
      "alice\npw\npub missing.txt\npub here.txt\nxit\n",
    );
    assert.equal(
      outcome.stdout,
      LOGIN + WELCOME +
        `> Cannot publish missing.txt: no such file in ${dir}\n` +
        "> File published successfully\n" +
        "> Goodbye!\n",
    );
    assert.ok(!tracker.received.includes("pub missing.txt"));
    assert.ok(tracker.received.includes("pub here.txt"));
  });
});

Deno.test("get downloads the file from the holder the tracker names", async () => {
  const source = await Deno.makeTempDir({ prefix: "peersync-holder-" });
  await Deno.writeTextFile(join(source, "song.ogg"), "la la la");
  const holder = startUploadServer({
    hostname: "127.0.0.1",
    dir: source,
    published: new Set(["song.ogg", "gone.ogg"]),
  });
  const where = `bob 127.0.0.1 ${holder.addr.port}`;
  const tracker = scriptedTracker({ "get song.ogg": where, "get gone.ogg": where });
  try {
    await withShare(tracker, async (dir) => {
      const outcome = await runPeer(
        ["--dir", dir, String(tracker.port)],
        "alice\npw\nget song.ogg\nget song.ogg\nget gone.ogg\nxit\n",
      );
      const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      assert.match(
        outcome.stdout,
        new RegExp(
          "^" + escape(LOGIN + WELCOME + "> song.ogg downloaded successfully\n") +
            "8 B in \\d+\\.\\d s, [^\n]+/s, from bob \\(v1 holder: not verifiable\\)\n" +
            escape(
              `> Download of song.ogg failed: song.ogg already exists in ${dir}; not overwriting\n`,
            ) +
            "> Download of gone\\.ogg failed: bob \\(127\\.0\\.0\\.1:\\d+\\): " +
            escape("the peer sent nothing (it may no longer have the file)\n> Goodbye!\n") + "$",
        ),
      );
      assert.equal(await Deno.readTextFile(join(dir, "song.ogg")), "la la la");
      assert.deepEqual([...Deno.readDirSync(dir)].map((entry) => entry.name), ["song.ogg"]);
    });
  } finally {
    await holder.close();
    await Deno.remove(source, { recursive: true });
  }
});

Deno.test("a command the tracker does not answer prints 'Tracker not responding'", async () => {
  const tracker = startFakeTracker((request) => request.startsWith("auth") ? "OK" : undefined);
  await withShare(tracker, async (dir) => {
    const outcome = await runPeer(
      ["--timeout", "200", "--dir", dir, String(tracker.port)],
      "alice\npw\nlap\nxit\n",
    );
    assert.equal(outcome.stdout, `${LOGIN}${WELCOME}> Tracker not responding\n> Goodbye!\n`);
    assert.equal(outcome.code, 0);
  });
});

Deno.test("a refusal from the tracker prints a clear line", async () => {
  const tracker = scriptedTracker({ lap: "ERR" });
  await withShare(tracker, async (dir) => {
    const outcome = await runPeer(["--dir", dir, String(tracker.port)], "alice\npw\nlap\nxit\n");
    assert.equal(
      outcome.stdout,
      `${LOGIN}${WELCOME}> The tracker refused the request\n> Goodbye!\n`,
    );
  });
});

Deno.test("end of input before login exits 1 with one line", async () => {
  const tracker = scriptedTracker();
  await withShare(tracker, async (dir) => {
    const outcome = await runPeer(["--dir", dir, String(tracker.port)], "alice\n");
    assert.equal(outcome.code, 1);
    assert.equal(outcome.stdout, LOGIN);
    assert.equal(outcome.stderr.split("\n").length, 2);
  });
});

Deno.test("an unreachable tracker ends login with exit 1 within a few seconds", async () => {
  // Held by a socket that never answers rather than closed: a closed port could be taken by
  // another test's tracker running in parallel.
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (socket.addr as Deno.NetAddr).port;
  try {
    const started = Date.now();
    const outcome = await runPeer(["--timeout", "1500", String(port)], "alice\npw\n");
    assert.equal(outcome.code, 1);
    assert.equal(outcome.stderr, `Tracker at 127.0.0.1:${port} is not responding\n`);
    assert.ok(Date.now() - started < 5000);
  } finally {
    socket.close();
  }
});

Deno.test("--help prints the usage and exits 0", async () => {
  const outcome = await runPeer(["--help"]);
  assert.equal(outcome.code, 0);
  assert.match(outcome.stdout, /^Usage: peersync-peer \[options\] <tracker_port>/);
  for (const option of ["--host", "--dir", "--advertise", "--timeout", "--help"]) {
    assert.ok(outcome.stdout.includes(option), option);
  }
  assert.equal((await runPeer(["-h"])).code, 0);
});

Deno.test("bad arguments exit 2 with one line pointing to --help", async () => {
  const cases = [
    [],
    ["port"],
    ["0"],
    ["65536"],
    ["--bogus", "5000"],
    ["--dir", "/nonexistent/peersync", "5000"],
    ["--timeout", "soon", "5000"],
    ["--advertise", "my-laptop", "5000"],
    ["5000", "6000"],
    ["--host"],
    ["--max-sources", "0", "5000"],
    ["--max-uploads", "many", "5000"],
    ["--max-uploads-per-peer", "0", "5000"],
    ["--max-v1-size", "0", "5000"],
    ["--max-v1-size", "lots", "5000"],
    ["--download-limit", "fast", "5000"],
  ];
  const outcomes = await Promise.all(cases.map((args) => runPeer(args)));
  outcomes.forEach((outcome, index) => {
    const args = JSON.stringify(cases[index]);
    assert.equal(outcome.code, 2, args);
    assert.equal(outcome.stdout, "", args);
    assert.match(outcome.stderr, /^peersync-peer: [^\n]+ \(see --help\)\n$/, args);
  });
});

Deno.test("a one-shot command's unknown option is named with the command's usage, exit 2", async () => {
  const cases = [
    [["sch", "-x", "foo"], "unknown option -x for sch; usage: sch [-e] [-l] TEXT"],
    [["sch", "-e", "--exact", "foo"], "unknown option --exact for sch; usage: sch [-e] [-l] TEXT"],
    [["get", "-z", "a.txt"], "unknown option -z for get; usage: get [-v N] FILE"],
  ] as const;
  const outcomes = await Promise.all(
    cases.map(([command]) => runPeer(["-u", "alice", "-t", "127.0.0.1:9", ...command])),
  );
  outcomes.forEach((outcome, index) => {
    assert.deepEqual(outcome, {
      code: 2,
      stdout: "",
      stderr: `peersync-peer: ${cases[index][1]} (see --help)\n`,
    });
  });
});

/** A peer driven line by line, for what a whole-input script cannot show. */
class InteractivePeer {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reading: Promise<void>;
  readonly #stderr: Promise<string>;
  #stdout = "";
  #changed: () => void = () => {};

  constructor(args: string[]) {
    const child = peerCommand(args).spawn();
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#stderr = new Response(child.stderr).text();
    this.#reading = (async () => {
      for await (const chunk of child.stdout) {
        this.#stdout += decoder.decode(chunk, { stream: true });
        this.#changed();
      }
    })();
  }

  async type(line: string): Promise<void> {
    await this.#writer.write(encoder.encode(`${line}\n`));
  }

  /** Waits until standard output ends with `tail`. */
  async waitForOutput(tail: string): Promise<string> {
    const deadline = Date.now() + 5000;
    while (!this.#stdout.endsWith(tail)) {
      if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(tail)} in ${this.#stdout}`);
      const changed = new Promise<void>((resolve) => this.#changed = resolve);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([changed, new Promise((resolve) => timer = setTimeout(resolve, 100))]);
      clearTimeout(timer);
    }
    return this.#stdout;
  }

  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /** Ends standard input (unless the peer is to stop by itself) and waits for the exit. */
  async finish(closeInput = true): Promise<Outcome> {
    if (closeInput) await this.#writer.close().catch(() => {});
    const { code } = await this.#child.status;
    await this.#writer.close().catch(() => {});
    await this.#reading;
    return { code, stdout: this.#stdout, stderr: await this.#stderr };
  }
}

Deno.test("peer serves a file it published to other peers at its advertised address", async () => {
  const tracker = scriptedTracker({ "pub shared.txt": "File published successfully" });
  await withShare(tracker, async (dir) => {
    await Deno.writeTextFile(join(dir, "shared.txt"), "from alice");
    await Deno.writeTextFile(join(dir, "private.txt"), "not published");
    const peer = new InteractivePeer(["--dir", dir, String(tracker.port)]);
    try {
      await peer.type("alice");
      await peer.type("pw");
      await peer.waitForOutput("> ");
      await peer.type("pub shared.txt");
      await peer.waitForOutput("File published successfully\n> ");
      const tcp = tracker.received.find((request) => request.startsWith("TCP "));
      const [, host, port] = tcp!.split(" ");
      const fetch = async (name: string) => {
        const conn = await Deno.connect({ hostname: host, port: Number(port) });
        await conn.write(encoder.encode(name));
        const body = await new Response(conn.readable).text();
        return body;
      };
      assert.equal(await fetch("shared.txt"), "from alice");
      assert.equal(await fetch("private.txt"), "");
      await peer.type("xit");
    } finally {
      const outcome = await peer.finish();
      assert.equal(outcome.code, 0);
    }
  });
});

Deno.test("files published in an earlier session are served again after login", async () => {
  const tracker = scriptedTracker({ lpf: "old.txt" });
  await withShare(tracker, async (dir) => {
    await Deno.writeTextFile(join(dir, "old.txt"), "still here");
    const peer = new InteractivePeer(["--dir", dir, String(tracker.port)]);
    try {
      await peer.type("alice");
      await peer.type("pw");
      await peer.waitForOutput("> ");
      const [, host, port] = tracker.received.find((r) => r.startsWith("TCP "))!.split(" ");
      const conn = await Deno.connect({ hostname: host, port: Number(port) });
      await conn.write(encoder.encode("old.txt\n"));
      assert.equal(await new Response(conn.readable).text(), "still here");
    } finally {
      await peer.finish();
    }
  });
});

Deno.test("peer keeps its session alive with a heartbeat every 2 s", async () => {
  const tracker = scriptedTracker();
  await withShare(tracker, async (dir) => {
    const peer = new InteractivePeer(["--dir", dir, String(tracker.port)]);
    try {
      await peer.type("alice");
      await peer.type("pw");
      await peer.waitForOutput("> ");
      const loggedIn = Date.now();
      await tracker.waitFor(tracker.received.length + 1);
      assert.equal(tracker.received.at(-1), "HBT");
      const elapsed = Date.now() - loggedIn;
      assert.ok(elapsed > 1500 && elapsed < 2600, `${elapsed} ms`);
    } finally {
      await peer.finish();
    }
  });
});

Deno.test("SIGTERM stops a logged-in peer cleanly", async () => {
  const tracker = scriptedTracker();
  await withShare(tracker, async (dir) => {
    const peer = new InteractivePeer(["--dir", dir, String(tracker.port)]);
    await peer.type("alice");
    await peer.type("pw");
    await peer.waitForOutput("> ");
    peer.kill("SIGTERM");
    // Standard input stays open, so only the signal can end the peer.
    const outcome = await peer.finish(false);
    assert.equal(outcome.code, 143);
    assert.ok(outcome.stdout.endsWith("> Goodbye!\n"));
  });
});

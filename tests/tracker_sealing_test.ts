import assert from "node:assert/strict";
import { projectRoot, spawnDeno, stopSpawned } from "./support/programs.ts";
import { loadOpensslGcm } from "../lib/protocol/openssl_gcm.ts";

// The tracker's start line says which AES-GCM it seals with. It runs here with the permissions and
// V8 flags of `deno task tracker` (read from deno.json, so the task itself is what is tested: all
// access), or with narrow grants as an operator may give them to `deno run`, with and without
// `--allow-ffi` (docs/operations.md, "Deno permissions").
const LIBCRYPTO = "/usr/lib/x86_64-linux-gnu/libcrypto.so.3";
const probe = loadOpensslGcm([LIBCRYPTO]);
if (probe.ok) probe.gcm.close();
const skip = !probe.ok && Deno.env.get("CI") !== "true";

/** The permissions and V8 flags of `deno task tracker`. */
function taskPermissions(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${projectRoot}deno.json`));
  const words = (config.tasks.tracker as string).split(" ");
  return words.filter((word) => word.startsWith("--allow-") || word.startsWith("--v8-flags="));
}

/** What a tracker run with narrow grants needs, without `--allow-ffi`. */
const NARROW = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env=INIT_CWD,REDIS_DEBUG_MAINTENANCE,REDIS_EMIT_DIAGNOSTICS",
];

/** Starts the tracker with `permissions` and `args`, returns its sealing line, and stops it. */
async function sealingLine(permissions: string[], args: string[] = []): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "peersync-sealing-" });
  try {
    await Deno.writeTextFile(`${dir}/credentials.txt`, "alice pw\n");
    const { child, stdout, stderr } = spawnDeno([
      "run",
      ...permissions,
      `--config=${projectRoot}deno.json`,
      `${projectRoot}tracker.ts`,
      "--store",
      "memory",
      "--credentials",
      `${dir}/credentials.txt`,
      ...args,
      "0",
    ], { cwd: dir, env: { INIT_CWD: dir } });
    try {
      return (await stdout.waitFor(/Sealed datagrams: [^\n]*/))[0];
    } finally {
      await stopSpawned(child, stdout, stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name:
    "deno task tracker's permissions, and narrow ones with --allow-ffi for libcrypto, seal with OpenSSL through FFI, and say so at start" +
    (skip ? " (skipped: libcrypto.so.3 not at the Debian path here)" : ""),
  ignore: skip,
  fn: async () => {
    const openssl =
      /Sealed datagrams: sealing with OpenSSL through FFI \(\/usr\/lib\/x86_64-linux-gnu\/libcrypto\.so\.3\)/;
    assert.match(await sealingLine(taskPermissions()), openssl);
    // Narrow grants load OpenSSL too when --allow-ffi names that one file.
    assert.match(await sealingLine([...NARROW, `--allow-ffi=${LIBCRYPTO}`]), openssl);
  },
});

Deno.test("without --allow-ffi the tracker seals with node:crypto and says why", async () => {
  assert.match(
    await sealingLine(NARROW),
    /Sealed datagrams: sealing with node:crypto \(no --allow-ffi=\/usr\/lib\/x86_64-linux-gnu\/libcrypto\.so\.3; OpenSSL is faster\)/,
  );
});

Deno.test("--sealing node keeps the tracker on node:crypto even with --allow-ffi", async () => {
  assert.match(
    await sealingLine(taskPermissions(), ["--sealing", "node"]),
    /Sealed datagrams: sealing with node:crypto \(asked for\)/,
  );
});

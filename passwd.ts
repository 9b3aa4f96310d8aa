/**
 * `peersync-passwd`: makes a SCRAM-SHA-256 verifier line for the tracker's credentials file, so
 * the tracker never stores the password. The password comes from a hidden prompt (typed twice) or
 * the first line of standard input — never from the command line, where `ps` and shell history
 * would keep it.
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import {
  type CommandSpec,
  helpText,
  parseCommandLine,
  STANDARD_OPTIONS,
  UsageError,
  userDirectory,
  versionText,
} from "./lib/cli.ts";
import { InterruptedError, StdinChunks } from "./lib/terminal/mod.ts";
import { fileErrorText, removeQuietly, writeAll } from "./lib/util/mod.ts";
import {
  decodeUtf8,
  DEFAULT_SCRAM_ITERATIONS,
  encodeHex,
  isValidField,
  MAX_PASSWORD_BYTES,
  MAX_SCRAM_ITERATIONS,
  MIN_SCRAM_ITERATIONS,
} from "./lib/protocol/mod.ts";
import {
  deriveVerifier,
  formatVerifier,
  isAcceptableIterations,
  newSalt,
} from "./lib/protocol/scram.ts";
import {
  CredentialsError,
  isStorableUserName,
  parseCredentials,
  setCredentialLine,
} from "./lib/tracker/credentials.ts";

const spec: CommandSpec = {
  name: "peersync-passwd",
  summary: "PeerSync passwd: makes a tracker credentials line holding a SCRAM-SHA-256 verifier " +
    "instead of the password.\nThe password is read from a hidden prompt, or from the first line " +
    "of standard input when it is not a terminal.",
  positionals: [{ name: "user", description: "the user the line is for" }],
  options: {
    file: {
      type: "string",
      short: "f",
      value: "FILE",
      description: "set the user's line in this credentials file instead of printing it",
    },
    iterations: {
      type: "string",
      value: "N",
      description: `PBKDF2 rounds, ${MIN_SCRAM_ITERATIONS}–${MAX_SCRAM_ITERATIONS}`,
      default: String(DEFAULT_SCRAM_ITERATIONS),
    },
    ...STANDARD_OPTIONS,
  },
  examples: [
    "deno task passwd alice >> credentials.txt",
    "deno task passwd --file credentials.txt alice",
    "printf '%s\\n' \"$PW\" | deno task passwd --file credentials.txt alice",
  ],
};

const encoder = new TextEncoder();
const LF = 0x0a;
const CR = 0x0d;

function fail(message: string, code: number): never {
  console.error(`${spec.name}: ${message}`);
  Deno.exit(code);
}

/**
 * Reads hidden lines from a terminal, which stays in raw mode (no echo) from before the first
 * prompt until {@linkcode HiddenInput.close}, so nothing typed ahead is ever echoed. Bytes typed
 * after an Enter carry over to the next prompt.
 */
class HiddenInput {
  readonly #input = new StdinChunks(1024);

  constructor() {
    Deno.stdin.setRaw(true);
  }

  /** Prints `prompt` on standard error and reads one line without echo; `null` at end of input. */
  async read(prompt: string): Promise<string | null> {
    Deno.stderr.writeSync(encoder.encode(prompt));
    try {
      return await this.#input.readHiddenLine();
    } finally {
      // Nothing was echoed, not even the Enter key. (Deno's raw mode keeps output processing.)
      Deno.stderr.writeSync(encoder.encode("\n"));
    }
  }

  /** Gives the terminal its echo back. */
  close(): void {
    Deno.stdin.setRaw(false);
  }
}

/**
 * The first line of standard input, without its line ending. Reads no more than a valid password
 * can take, so a stream without newlines cannot make it allocate without bound.
 */
async function readFirstLine(): Promise<string> {
  const limit = MAX_PASSWORD_BYTES + 2;
  const line = new Uint8Array(limit + 1);
  let length = 0;
  for (;;) {
    const read = await Deno.stdin.read(line.subarray(length));
    if (read === null) break;
    const newline = line.subarray(length, length + read).indexOf(LF);
    if (newline >= 0) {
      length += newline;
      break;
    }
    length += read;
    if (length > limit) fail(`password longer than ${MAX_PASSWORD_BYTES} bytes`, 1);
  }
  const end = length > 0 && line[length - 1] === CR ? length - 1 : length;
  const text = decodeUtf8(line.subarray(0, end));
  if (text === undefined) fail("password is not valid UTF-8", 1);
  return text;
}

async function readPassword(): Promise<string> {
  let password: string | null;
  if (Deno.stdin.isTerminal()) {
    const input = new HiddenInput();
    let repeated: string | null = null;
    try {
      password = await input.read("Password: ");
      if (password !== null && password !== "") repeated = await input.read("Repeat password: ");
    } catch (error) {
      input.close();
      if (error instanceof InterruptedError) Deno.exit(130);
      throw error;
    }
    input.close();
    if (password !== null && password !== "" && repeated !== password) {
      fail("passwords do not match", 1);
    }
  } else {
    password = await readFirstLine();
  }
  if (password === null || password === "") fail("empty password", 1);
  // The peer may fall back to v1 `auth`, where the password is one field of a datagram.
  if (!isValidField(password, MAX_PASSWORD_BYTES)) {
    fail(
      `password must be at most ${MAX_PASSWORD_BYTES} bytes with no spaces or control characters`,
      1,
    );
  }
  return password;
}

/** The credentials file as it is now: its real path, text and permission bits. */
interface CredentialsFile {
  readonly path: string;
  readonly text: string;
  readonly mode: number;
}

/** Reads the file (a missing one is empty, to be created owner-only) and checks every line. */
async function readCredentialsFile(file: string): Promise<CredentialsFile> {
  let path = file;
  try {
    // Follow a symbolic link, so the rename replaces the file and not the link.
    path = await Deno.realPath(file);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      fail(`${file}: cannot read: ${fileErrorText(error)}`, 1);
    }
  }
  let bytes: Uint8Array;
  let mode = 0o600;
  try {
    bytes = await Deno.readFile(path);
    mode = ((await Deno.stat(path)).mode ?? mode) & 0o7777;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      fail(`${file}: cannot read: ${fileErrorText(error)}`, 1);
    }
    bytes = new Uint8Array(0);
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) fail(`${file}: not valid UTF-8`, 1);
  try {
    parseCredentials(text, file);
  } catch (error) {
    if (error instanceof CredentialsError) fail(error.message, 1);
    throw error;
  }
  return { path, text, mode };
}

/**
 * Replaces `path` with `text` atomically: a reader sees the old file or the new one, never a
 * half-written one. The temporary file sits in the same folder so the rename cannot cross file
 * systems, and gets the old file's permission bits before it takes its place.
 */
async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const suffix = encodeHex(crypto.getRandomValues(new Uint8Array(6)));
  const temporary = join(dirname(path), `.${basename(path)}.${suffix}.tmp`);
  const bytes = encoder.encode(text);
  try {
    const file = await Deno.open(temporary, { write: true, createNew: true, mode });
    try {
      await writeAll(file, bytes);
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.chmod(temporary, mode);
    await Deno.rename(temporary, path);
  } catch (error) {
    await removeQuietly(temporary);
    throw error;
  }
}

async function main(): Promise<void> {
  let user: string;
  let iterations: number;
  let file: string | undefined;
  try {
    const { values, positionals } = parseCommandLine(Deno.args, spec);
    if (values.help) {
      console.log(helpText(spec));
      return;
    }
    if (values.version) {
      console.log(versionText(spec.name));
      return;
    }
    if (positionals.length === 0) throw new UsageError("missing <user>");
    if (positionals.length > 1) {
      throw new UsageError(
        "too many arguments: the password is read from a prompt or stdin, never the command line",
      );
    }
    user = positionals[0];
    if (!isStorableUserName(user)) {
      throw new UsageError(
        `invalid user name ${JSON.stringify(user)}: expected 1–255 bytes with no spaces, ` +
          "commas or control characters, not starting with #",
      );
    }
    const iterationsText = values.iterations as string;
    iterations = /^[0-9]{1,9}$/.test(iterationsText) ? Number(iterationsText) : NaN;
    if (!isAcceptableIterations(iterations)) {
      throw new UsageError(
        `invalid --iterations "${iterationsText}": expected a whole number from ` +
          `${MIN_SCRAM_ITERATIONS} to ${MAX_SCRAM_ITERATIONS}`,
      );
    }
    if (values.file !== undefined) file = resolve(userDirectory(), values.file as string);
  } catch (error) {
    if (error instanceof UsageError) fail(`${error.message} (see --help)`, 2);
    throw error;
  }

  // A broken file is refused before anyone types a password for it.
  if (file !== undefined) await readCredentialsFile(file);
  const password = await readPassword();
  const line = `${user} ${formatVerifier(await deriveVerifier(password, newSalt(), iterations))}`;
  if (file === undefined) {
    console.log(line);
    return;
  }

  // Read again: the file may have changed while the password was typed.
  const current = await readCredentialsFile(file);
  const secret = line.slice(user.length + 1);
  const existed = parseCredentials(current.text, file).has(user);
  let text: string;
  try {
    text = setCredentialLine({ text: current.text, file, user, secret });
  } catch (error) {
    if (error instanceof CredentialsError) fail(error.message, 1);
    throw error;
  }
  try {
    await writeAtomically(current.path, text, current.mode);
  } catch (error) {
    fail(`${file}: cannot write: ${fileErrorText(error)}`, 1);
  }
  console.log(
    `${existed ? "Replaced" : "Added"} ${user} in ${file}; ` +
      "a tracker running on this file picks the change up by itself",
  );
}

if (import.meta.main) await main();

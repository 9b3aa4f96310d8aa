/**
 * The peer's long-lived identity in its state folder: `identity_key.pem` (mode 0600) and
 * `identity_cert.pem`, in a folder of mode 0700. Made on first start — each file written whole or
 * not at all, and one pair for peers started at once (they wait on `identity.lock`); read as it
 * is afterwards. A key or certificate that is unreadable, corrupt, or not a pair is an
 * {@linkcode IdentityError} with one line that says how to recover — never silently replaced. Rotation is deleting both
 * files: the next start makes a new pair and registers its fingerprint.
 *
 * @module
 */

import { join } from "node:path";
import { errorText, removeQuietly, writeNewFileDurably } from "../../util/mod.ts";
import { checkIdentity, type IdentityPem, makeIdentity } from "./certificate.ts";

/** The private key's file name in the state folder. */
export const IDENTITY_KEY_FILE = "identity_key.pem";
/** The certificate's file name in the state folder. */
export const IDENTITY_CERT_FILE = "identity_cert.pem";
/** Held while the identity is read or made, so peers started at once make one pair, not two. */
const IDENTITY_LOCK_FILE = "identity.lock";

/** A key pair, its certificate, and the certificate's SHA-256 fingerprint. */
export interface Identity extends IdentityPem {
  /** 64 lowercase hex digits. */
  readonly fingerprint: string;
}

/** A stored identity that cannot be used; `message` is one line for the user. */
export class IdentityError extends Error {
  override readonly name = "IdentityError";
}

const PROBLEM_TEXT = {
  key: "the private key is unreadable or not an ECDSA P-256 key",
  certificate: "the certificate is unreadable",
  mismatch: "the certificate is not for the private key",
} as const;

/**
 * Loads the identity from `stateDir`, or makes and stores a new one when neither file exists
 * (`onNote` is told). Without a state folder the identity lives in memory for this run only.
 *
 * @throws {IdentityError} when the files exist but cannot be used, or cannot be written.
 */
export async function loadIdentity(
  stateDir: string | undefined,
  onNote: (line: string) => void,
): Promise<Identity> {
  if (stateDir === undefined) {
    onNote("no state folder: this run's TLS identity is temporary");
    return await withFingerprint(await makeIdentity(), "memory");
  }
  using _lock = await lockIdentity(stateDir);
  const keyPath = join(stateDir, IDENTITY_KEY_FILE);
  const certPath = join(stateDir, IDENTITY_CERT_FILE);
  const key = await readOptional(keyPath);
  const cert = await readOptional(certPath);
  if (key === undefined && cert === undefined) {
    const made = await makeIdentity();
    await store(stateDir, keyPath, certPath, made);
    const identity = await withFingerprint(made, stateDir);
    onNote(`made a new TLS identity in ${stateDir} (fingerprint ${identity.fingerprint})`);
    return identity;
  }
  if (key === undefined || cert === undefined) {
    throw new IdentityError(
      `identity in ${stateDir} is incomplete (${key === undefined ? keyPath : certPath} is ` +
        `missing): delete ${IDENTITY_KEY_FILE} and ${IDENTITY_CERT_FILE} to make a new one`,
    );
  }
  const identity = await withFingerprint({ keyPem: key, certPem: cert }, stateDir);
  // Only a usable key can have leaked anything.
  await checkPrivate(keyPath);
  return identity;
}

/**
 * Locks the state folder's identity (made if need be) until disposed: a second peer started at
 * the same moment waits and then reads the pair the first one made. A folder where the lock
 * cannot be made (read-only) goes unlocked: nothing can be made there either.
 */
async function lockIdentity(stateDir: string): Promise<Disposable> {
  let lock: Deno.FsFile;
  try {
    await Deno.mkdir(stateDir, { recursive: true, mode: 0o700 });
    lock = await Deno.open(join(stateDir, IDENTITY_LOCK_FILE), {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
  } catch {
    return { [Symbol.dispose]: () => {} };
  }
  try {
    await lock.lock(true);
  } catch {
    // No locks on this file system: as before, the exclusive create below still never
    // overwrites a pair another peer made.
  }
  return lock;
}

async function withFingerprint(pem: IdentityPem, where: string): Promise<Identity> {
  const checked = await checkIdentity(pem);
  if (!checked.ok) {
    throw new IdentityError(
      `identity in ${where} cannot be used: ${PROBLEM_TEXT[checked.problem]}; delete ` +
        `${IDENTITY_KEY_FILE} and ${IDENTITY_CERT_FILE} to make a new one`,
    );
  }
  return { ...pem, fingerprint: checked.fingerprint };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    // A FIFO would block the read (and the start) for good; a directory says nothing useful.
    if (!(await Deno.stat(path)).isFile) {
      throw new IdentityError(`cannot read ${path}: it is not a regular file`);
    }
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof IdentityError) throw error;
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new IdentityError(`cannot read ${path}: ${errorText(error)}`);
  }
}

/**
 * Refuses a private key that other users can read or change, as ssh does: it may have leaked,
 * and whoever has it can pass for this peer to every downloader.
 */
async function checkPrivate(keyPath: string): Promise<void> {
  const mode = (await Deno.stat(keyPath)).mode;
  // No modes to check (Windows).
  if (mode === null || (mode & 0o077) === 0) return;
  const shown = `0${(mode & 0o777).toString(8)}`;
  throw new IdentityError(
    `${keyPath} is open to other users (mode ${shown}): run chmod 600 ${keyPath} if no one ` +
      `else can have read it, else delete ${IDENTITY_KEY_FILE} and ${IDENTITY_CERT_FILE} to ` +
      `make a new identity`,
  );
}

async function store(
  stateDir: string,
  keyPath: string,
  certPath: string,
  identity: IdentityPem,
): Promise<void> {
  let keyWritten = false;
  try {
    await Deno.mkdir(stateDir, { recursive: true, mode: 0o700 });
    await Deno.chmod(stateDir, 0o700);
    // Each file appears whole or not at all (a full disk, a kill), and never over another
    // start's. The certificate last: a run killed in between leaves an incomplete pair, which is
    // refused with a clear line rather than half-used.
    await writeNewFileDurably(keyPath, identity.keyPem, 0o600);
    keyWritten = true;
    await writeNewFileDurably(certPath, identity.certPem, 0o644);
  } catch (error) {
    if (keyWritten) await removeQuietly(keyPath);
    throw new IdentityError(`cannot store a TLS identity in ${stateDir}: ${errorText(error)}`);
  }
}

/**
 * `pub` and `unp`: publishing a file of the share folder (with its size and digest in v2) and
 * withdrawing a publication, keeping the set of files this peer serves in step with the tracker.
 *
 * @module
 */

import { hasSpace } from "../../protocol/mod.ts";
import { describeNotShareable, DigestError, fileDigest, resolveSharedFile } from "../share/mod.ts";
import { TerminalText } from "./commands.ts";
import { formatReply } from "./reply_lines.ts";
import { failed, type Outcome, succeeded } from "./outcome.ts";
import type { LoggedIn } from "./session_parts.ts";
import { ask, isNoAnswer, needsV2, unexpected } from "./tracker_ask.ts";
import { showName } from "./words.ts";

export async function publish(parts: LoggedIn, file: string): Promise<Outcome> {
  const { dir } = parts.options;
  const shared = await resolveSharedFile(dir, file);
  if (!shared.ok) {
    const hint = shared.reason === "missing" ? missingFileHint(file, await folderNames(dir)) : "";
    return failed(
      "pub",
      "notShareable",
      `Cannot publish ${showName(file)}: ${describeNotShareable(shared.reason, dir)}${hint}`,
    );
  }
  let meta: { size: number; sha256: string; mtimeMs?: number } = { size: 0, sha256: "" };
  if (parts.link.version === 2) {
    // v2 publishes size and digest so downloaders can verify; v1 has no field for them.
    try {
      meta = await fileDigest(dir, file, parts.digests);
    } catch (error) {
      if (error instanceof DigestError) {
        return failed("pub", "notShareable", `Cannot publish ${showName(file)}: ${error.message}`);
      }
      throw error;
    }
  }
  const reply = await ask(
    parts,
    (link) => link.publish(file, { size: meta.size, sha256: meta.sha256 }),
  );
  if (isNoAnswer(reply)) return failed("pub", reply.noAnswer, reply.message);
  if (reply.kind !== "published" && hasSpace(file)) {
    // An older v2 tracker reads the encoded name as a path separator and refuses it.
    return failed("pub", "needsV2", needsV2(file, "name", true));
  }
  if (reply.kind !== "published") return unexpected("pub", reply);
  parts.published.add(file);
  if (meta.mtimeMs !== undefined) {
    parts.versions?.set(file, { size: meta.size, sha256: meta.sha256, mtimeMs: meta.mtimeMs });
  }
  return succeeded(
    "pub",
    formatReply("pub", reply),
    parts.link.version === 2 ? { file, size: meta.size, sha256: meta.sha256 } : { file },
  );
}

export async function unpublish(parts: LoggedIn, file: string): Promise<Outcome> {
  // Out of the set before asking: a look at the share folder under way (`share_truth.ts`) then
  // sees the user's choice and does not publish the file again behind the withdrawal.
  const wasPublished = parts.published.delete(file);
  const reply = await ask(parts, (link) => link.unpublish(file));
  if (isNoAnswer(reply)) {
    // Perhaps withdrawn, perhaps not: served as before, as the tracker may still list it.
    if (wasPublished) parts.published.add(file);
    return failed("unp", reply.noAnswer, reply.message);
  }
  // Either way the tracker no longer lists it, so it must no longer be served.
  if (reply.kind === "unpublished" || reply.kind === "unpublishFailed") {
    parts.published.delete(file);
    parts.versions?.delete(file);
  } else if (wasPublished) {
    // Refused: the tracker still lists it, so it is still served.
    parts.published.add(file);
  }
  if (reply.kind === "error" && hasSpace(file)) {
    return failed("unp", "needsV2", needsV2(file, "name", true));
  }
  if (reply.kind === "unpublished") return succeeded("unp", formatReply("unp", reply), { file });
  if (reply.kind === "unpublishFailed") {
    return failed(
      "unp",
      "unpublishFailed",
      TerminalText.unpublishFailed,
      notPublishedReason(file, parts.published),
    );
  }
  return unexpected("unp", reply);
}

/** The names in `dir`, for a hint only: nothing when it cannot be read. */
async function folderNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch {
    // No hint then; the reason itself stands.
  }
  return names;
}

/**
 * What `pub file` adds to "no such file" when the folder holds the name in another form. Names
 * are compared byte for byte, on disk as on the wire (docs/protocol.md, "Names"), so `café.txt`
 * typed composed (NFC) is not a file stored decomposed (NFD, as macOS writes names) although
 * both look alike: the hint says which form the file has, and that Tab completes its exact name.
 * A name differing only in case is offered as `unp` does. Empty when nothing is near.
 *
 * @example
 * ```ts
 * import { missingFileHint } from "./publish_command.ts";
 * console.assert(missingFileHint("Notes.txt", ["notes.txt"]) === " (did you mean notes.txt?)");
 * console.assert(missingFileHint("gone.txt", ["notes.txt"]) === "");
 * ```
 */
export function missingFileHint(file: string, names: Iterable<string>): string {
  const candidates = [...names].filter((name) => name !== file);
  const sameForm = candidates.find((name) => name.normalize("NFC") === file.normalize("NFC"));
  if (sameForm !== undefined) {
    return ` (a file ${showName(sameForm)} is there, its name in another Unicode form, ` +
      `${unicodeForm(sameForm)}; names must match byte for byte: Tab after pub completes it)`;
  }
  const fold = (name: string) => name.normalize("NFC").toLowerCase();
  const near = candidates.find((name) => fold(name) === fold(file));
  return near === undefined ? "" : ` (did you mean ${showName(near)}?)`;
}

function unicodeForm(name: string): string {
  if (name === name.normalize("NFD")) return "decomposed (NFD)";
  if (name === name.normalize("NFC")) return "composed (NFC)";
  return "partly decomposed";
}

/**
 * Why the tracker refused `unp file`: it refuses only a name this user does not publish. A name
 * of this user's that differs only in case or normalisation is offered, as `sch` would find it.
 *
 * @example
 * ```ts
 * import { notPublishedReason } from "./publish_command.ts";
 * console.assert(notPublishedReason("Notes.txt", new Set(["notes.txt"])) ===
 *   'you do not publish Notes.txt (did you mean notes.txt?)');
 * ```
 */
export function notPublishedReason(file: string, published: Iterable<string>): string {
  const fold = (name: string) => name.normalize("NFC").toLowerCase();
  const near = [...published].find((name) => name !== file && fold(name) === fold(file));
  return `you do not publish ${showName(file)}` +
    (near === undefined ? " (lpf lists your files)" : ` (did you mean ${showName(near)}?)`);
}

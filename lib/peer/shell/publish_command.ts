/**
 * `pub` and `unp`: publishing a file of the share folder (with its size and digest in v2) and
 * withdrawing a publication, keeping the set of files this peer serves in step with the tracker.
 *
 * @module
 */

import { hasSpace } from "../../protocol/mod.ts";
import { describeNotShareable, DigestError, fileDigest, resolveSharedFile } from "../share/mod.ts";
import { formatReply, TerminalText } from "./commands.ts";
import { failed, type Outcome, succeeded } from "./outcome.ts";
import type { LoggedIn } from "./session_parts.ts";
import { ask, isNoAnswer, needsV2, unexpected } from "./tracker_ask.ts";
import { showName } from "./words.ts";

export async function publish(parts: LoggedIn, file: string): Promise<Outcome> {
  const { dir } = parts.options;
  const shared = await resolveSharedFile(dir, file);
  if (!shared.ok) {
    return failed(
      "pub",
      "notShareable",
      `Cannot publish ${showName(file)}: ${describeNotShareable(shared.reason, dir)}`,
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

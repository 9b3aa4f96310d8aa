/**
 * What is known complete in a download's part file, across runs: what an interrupted download
 * left (from its resume note, or from the file's length when it only ever appended), what this
 * run's ranges have written since, and what to keep when this run fails too.
 *
 * @module
 */

import { removeQuietly } from "../../util/mod.ts";
import { readOwnText, replaceOwnTextSync } from "../share/mod.ts";
import type { PartFile } from "./part_file.ts";
import {
  type ByteRange,
  coveredBytes,
  decodeResumeNote,
  encodeResumeNote,
  mergeRanges,
  missingRanges,
} from "./resume_note.ts";

/** A range being fetched: written from where it was tracked up to `pos`. */
interface RangeInProgress {
  readonly pos: number;
}

/** A resume note larger than this is not one we wrote (10 000 ranges take about 300 KB). */
const MAX_NOTE_BYTES = 1024 * 1024;

/** The complete ranges of one part file. */
export class CompleteRanges {
  /** Where each of this run's ranges started, so that `[start, pos)` is known written. */
  readonly #startOf = new Map<RangeInProgress, number>();
  /** Whether the note is kept up to date (the file's length alone says too little). */
  #noted = false;
  /** What the note on disk says, once this run has written one. */
  #lastNoted: ByteRange[] | undefined;

  private constructor(
    readonly notePath: string,
    readonly size: number,
    /** What an interrupted download left, known complete. */
    readonly previous: readonly ByteRange[],
  ) {}

  /**
   * Reads what an interrupted download left in `part`. Bytes past a complete prefix that no note
   * vouches for are cut off, and the complete prefix is hashed so that writes continue the hash.
   * A note that is there but cannot be trusted (not a regular file, inconsistent) means nothing
   * in the file is known complete.
   */
  static async load(part: PartFile, notePath: string, size: number): Promise<CompleteRanges> {
    const length = await part.length();
    const note = await readOwnText(notePath, MAX_NOTE_BYTES);
    const noteThere = note !== undefined ||
      await Deno.lstat(notePath).then(() => true, () => false);
    const previous = !noteThere
      ? (length > 0 ? [{ start: 0, end: length }] : [])
      : note === undefined
      ? []
      : decodeResumeNote(note, size, length) ?? [];
    const prefix = previous[0]?.start === 0 ? previous[0].end : 0;
    if (coveredBytes(previous) === prefix && prefix < length) await part.truncate(prefix);
    if (prefix > 0) await part.seedHash(prefix);
    return new CompleteRanges(notePath, size, previous);
  }

  /** Bytes already there when this run started. */
  get resumedFrom(): number {
    return coveredBytes(this.previous);
  }

  /** What is still to fetch, in order. */
  holes(): ByteRange[] {
    return missingRanges(this.previous, this.size);
  }

  /** Counts what `task` writes from its current position on as complete. */
  track(task: RangeInProgress): void {
    this.#startOf.set(task, task.pos);
  }

  /** Everything known complete now. */
  done(): ByteRange[] {
    return mergeRanges([
      ...this.previous,
      ...[...this.#startOf].map(([task, start]) => ({ start, end: task.pos })),
    ]);
  }

  /**
   * Keeps the note up to date from now on when `needed` (ranges will leave holes, so the file's
   * length will not say what is complete), and writes it at once; otherwise removes any old one.
   *
   * @throws whatever the file system throws writing the note.
   */
  async useNote(needed: boolean): Promise<void> {
    this.#noted = needed;
    if (needed) this.writeNote();
    else await removeQuietly(this.notePath);
  }

  /** Rewrites the note, when notes are used. */
  writeNote(): void {
    if (!this.#noted) return;
    const done = this.done();
    replaceOwnTextSync(this.notePath, encodeResumeNote(done, this.size));
    this.#lastNoted = done;
  }

  /**
   * After a failed run: keeps what is complete for the next one — as the file's length when that
   * is one prefix, else in the note — closes `part`, and returns the bytes kept (0: the part file
   * is removed).
   */
  async keepAfterFailure(part: PartFile): Promise<number> {
    let kept: ByteRange[];
    try {
      kept = await this.#describeForNextRun(part);
    } finally {
      part.close();
    }
    if (kept.length === 0) {
      await removeQuietly(part.path);
      await removeQuietly(this.notePath);
      return 0;
    }
    if (isPrefix(kept)) await removeQuietly(this.notePath);
    return coveredBytes(kept);
  }

  /** Leaves `part` (and the note) saying what is complete; returns that, or [] when it cannot. */
  async #describeForNextRun(part: PartFile): Promise<ByteRange[]> {
    let kept = this.done();
    if (kept.length > 0 && !isPrefix(kept)) {
      this.#noted = true;
      try {
        this.writeNote();
        return kept;
      } catch {
        // (A full disk, say.) The note written last still holds: it says less than is done,
        // never more. Without any, the holes would pass for data: keep nothing rather than that.
        kept = this.#lastNoted ?? [];
        if (!isPrefix(kept)) return kept;
      }
    }
    if (kept.length === 0) return [];
    try {
      // One prefix: the file's length says it, once what lies past it is cut off.
      await part.truncate(kept[0].end);
      return kept;
    } catch {
      return [];
    }
  }
}

/** Whether `ranges` (merged) are one range from byte 0. */
function isPrefix(ranges: readonly ByteRange[]): boolean {
  return ranges.length === 1 && ranges[0].start === 0;
}

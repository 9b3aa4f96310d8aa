/**
 * Postings an exact view shares with the folded view (issue 11: memory). Most names fold to
 * themselves (65% of the benchmark's corpus): their trigrams, with the same position masks, are
 * in the folded view's postings already, so an exact view holding such a name does not put it in
 * its own postings but _borrows_ it. Its posting of a trigram then holds only its names that fold
 * to something else, and counts the borrowed ones (`Posting.borrowed`; `Posting.active` counts
 * both, so counters stay exact); a walk over it merges its own entries with those of the folded
 * posting that the view borrows, which a flag per name says (`BORROWED` in `table.views`).
 *
 * @module
 */

import type { IndexParts } from "./name_query.ts";
import { type Posting, PostingCursor } from "./posting.ts";

/** The bit of `table.views` saying a name's trigram entries are the folded view's. */
export const BORROWED = 0x80;

/** A forward position in a view's posting of one trigram (see {@linkcode PostingCursor}). */
export interface GramCursor {
  /** The current entry's id, -1 at the end. */
  readonly id: number;
  readonly mask: number;
  /** The current entry's order label (Infinity at the end). */
  readonly label: number;
  /** Entries stepped over or onto, skipped ones too: what the search's cap counts. */
  readonly steps: number;
  /** Entries a walk over the whole posting may step on: how rare the trigram is. */
  readonly postingSize: number;
  advance(): void;
  seek(key: number): void;
}

/**
 * Entries a walk over the view's posting may step on: its own, and every entry of the folded
 * posting it borrows from, the names it skips too. What a join orders its trigrams by.
 */
export function walkLength(parts: IndexParts, posting: Posting): number {
  if (posting.borrowed === 0) return posting.size;
  return posting.size + (parts.borrowFrom?.get(posting.code)?.size ?? 0);
}

/** A cursor over the view's posting from the first name whose label is above `after`. */
export function openCursor(parts: IndexParts, posting: Posting, after: number): GramCursor {
  const ord = parts.table.ord;
  const shared = posting.borrowed === 0 ? undefined : parts.borrowFrom?.get(posting.code);
  if (shared === undefined) return new PostingCursor(posting, ord, after);
  return new BorrowingCursor(
    new PostingCursor(posting, ord, after),
    new PostingCursor(shared, ord, after),
    parts.table.views,
    parts.bit | BORROWED,
    walkLength(parts, posting),
  );
}

/**
 * The merge of a view's own entries and the entries of the folded posting it borrows (the two
 * hold distinct names), skipping the folded posting's other names.
 */
class BorrowingCursor implements GramCursor {
  id = -1;
  mask = 0;
  label = Infinity;
  readonly #own: PostingCursor;
  readonly #shared: PostingCursor;
  readonly #flags: Uint8Array;
  readonly #wanted: number;
  #fromOwn = false;

  constructor(
    own: PostingCursor,
    shared: PostingCursor,
    flags: Uint8Array,
    wanted: number,
    readonly postingSize: number,
  ) {
    this.#own = own;
    this.#shared = shared;
    this.#flags = flags;
    this.#wanted = wanted;
    this.#settle();
  }

  get steps(): number {
    return this.#own.steps + this.#shared.steps;
  }

  advance(): void {
    if (this.#fromOwn) this.#own.advance();
    else this.#shared.advance();
    this.#settle();
  }

  seek(key: number): void {
    if (this.label >= key) return;
    this.#own.seek(key);
    this.#shared.seek(key);
    this.#settle();
  }

  // Skips the folded posting's names this view does not borrow, then shows the nearer entry.
  #settle(): void {
    const shared = this.#shared;
    shared.skipUnless(this.#flags, this.#wanted);
    const own = this.#own;
    const from = own.label < shared.label ? own : shared;
    this.#fromOwn = from === own;
    this.id = from.id;
    this.mask = from.mask;
    this.label = from.label;
  }
}

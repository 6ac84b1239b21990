/**
 * The bytes behind a LogBuffer: one Buffer used as a circular log of
 * records (each at least one byte), the oldest overwritten first. It grows
 * by doubling up to its capacity while it has not wrapped (so every record
 * keeps its position), then wraps; a record never straddles the end (the
 * rest of the end is left unused).
 *
 * The owner keeps the records in order and tells the ring which is the
 * oldest; `place` drops the oldest ones (through the owner) whose bytes the
 * new record needs.
 *
 * Growth past the first 64 KiB is drawn from a budget shared by every ring
 * of the master (RingBudget), so many chatty workers cannot hold more than
 * it together: once it is spent, a ring wraps within what it has. A ring
 * that is garbage (its worker replaced or removed) gives its share back.
 */

/** Where a record's bytes are in the ring. */
export interface Placed {
  readonly at: number;
  readonly length: number;
}

/** The owner's view of its records, oldest first. */
export interface RingRecords {
  oldest(): Placed | undefined;
  dropOldest(): void;
}

/** The first allocation; an idle worker allocates nothing. */
const INITIAL_BYTES = 64 * 1024;
/** What all rings of a master may grow by together past their first INITIAL_BYTES. */
export const RING_BUDGET_BYTES = 64 * 1024 * 1024;

/** A shared allowance of bytes; each ring's drawn share is returned when the ring is collected. */
export class RingBudget {
  private used = 0;
  private readonly returns = new FinalizationRegistry<{ drawn: number }>((share) => (this.used -= share.drawn));

  constructor(readonly total = RING_BUDGET_BYTES) {}

  get spent(): number {
    return this.used;
  }

  get left(): number {
    return this.total - this.used;
  }

  /** A share for `ring`, returned to this budget once the ring is garbage. */
  open(ring: object): { drawn: number } {
    const share = { drawn: 0 };
    this.returns.register(ring, share);
    return share;
  }

  /** Up to `wanted` more bytes for `share`: all of them, or what is left. */
  draw(share: { drawn: number }, wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.total - this.used));
    this.used += granted;
    share.drawn += granted;
    return granted;
  }
}

const masterBudget = new RingBudget();

export class ByteRing {
  private store = Buffer.alloc(0);
  private writeAt = 0;
  private readonly share: { drawn: number };

  constructor(
    private readonly capacity: number,
    private readonly budget: RingBudget = masterBudget,
  ) {
    this.share = budget.open(this);
  }

  /** The most bytes this ring can reach now: its capacity, or less while the shared budget is short. */
  get reach(): number {
    return Math.min(this.capacity, Math.max(INITIAL_BYTES, this.store.length) + this.budget.left);
  }

  /** The ring's memory; valid for a record until it is dropped. */
  get bytes(): Buffer {
    return this.store;
  }

  /** Room for a record of `length` (≥ 1) bytes, right after the newest; the records in the way are dropped. */
  place(length: number, records: RingRecords): Placed {
    if (!records.oldest()) this.writeAt = 0;
    if (!this.wrapped(records) && this.writeAt + length > this.store.length) this.grow(this.writeAt + length, length);
    if (this.writeAt + length > this.store.length) {
      while (this.wrapped(records)) records.dropOldest();
      this.writeAt = 0;
      if (length > this.store.length) this.growEmpty(length, records);
    }
    for (let oldest = records.oldest(); oldest && this.wrapped(records) && oldest.at < this.writeAt + length; oldest = records.oldest()) records.dropOldest();
    const placed = { at: this.writeAt, length };
    this.writeAt += length;
    return placed;
  }

  /** True when the oldest record lies at or after the write position: the records run round the end. */
  private wrapped(records: RingRecords): boolean {
    const oldest = records.oldest();
    return oldest !== undefined && oldest.at >= this.writeAt;
  }

  /** A record bigger than the whole ring: it is kept alone (past the budget if need be: the splitter caps a line's length). */
  private growEmpty(length: number, records: RingRecords): void {
    while (records.oldest()) records.dropOldest();
    this.grow(length, length, length);
  }

  /**
   * A bigger store with every record at the same position (only while not
   * wrapped: they all lie before writeAt), as far as the budget allows; at
   * least `atLeast` bytes.
   */
  private grow(needed: number, length: number, atLeast = 0): void {
    const wanted = Math.min(Math.max(this.capacity, length), Math.max(INITIAL_BYTES, this.store.length * 2, needed));
    const free = Math.max(INITIAL_BYTES, this.store.length);
    const size = Math.max(atLeast, Math.min(wanted, free + this.budget.draw(this.share, Math.max(0, wanted - free))));
    if (size <= this.store.length) return;
    const store = Buffer.allocUnsafeSlow(size);
    this.store.copy(store, 0, 0, this.writeAt);
    this.store = store;
  }
}

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

export class ByteRing {
  private store = Buffer.alloc(0);
  private writeAt = 0;

  constructor(private readonly capacity: number) {}

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

  /** A record bigger than the whole ring: it is kept alone. */
  private growEmpty(length: number, records: RingRecords): void {
    while (records.oldest()) records.dropOldest();
    this.grow(length, length);
  }

  /** A bigger store with every record at the same position (only while not wrapped: they all lie before writeAt). */
  private grow(needed: number, length: number): void {
    const size = Math.min(Math.max(this.capacity, length), Math.max(INITIAL_BYTES, this.store.length * 2, needed));
    if (size <= this.store.length) return;
    const store = Buffer.allocUnsafeSlow(size);
    this.store.copy(store, 0, 0, this.writeAt);
    this.store = store;
  }
}

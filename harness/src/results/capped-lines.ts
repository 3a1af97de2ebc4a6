/**
 * Keeps the first and the last items of a stream that may not end: the head
 * says how it started, the tail holds what came just before a crash. What
 * falls between is counted, not kept, so a flood costs bounded memory. Pure.
 */
export class CappedList<T> {
  private readonly head: T[] = [];
  private tail: T[] = [];
  private droppedCount = 0;

  constructor(
    private readonly headMax = 400,
    private readonly tailMax = 1600,
  ) {}

  push(item: T): void {
    if (this.head.length < this.headMax) {
      this.head.push(item);
      return;
    }
    if (this.tailMax === 0) {
      this.droppedCount++;
      return;
    }
    this.tail.push(item);
    if (this.tail.length >= this.tailMax * 2) {
      this.droppedCount += this.tail.length - this.tailMax;
      this.tail = this.tail.slice(-this.tailMax);
    }
  }

  get length(): number {
    return this.head.length + Math.min(this.tail.length, this.tailMax);
  }

  /** How many items were left out between the head and the tail. */
  get dropped(): number {
    return this.droppedCount + Math.max(0, this.tail.length - this.tailMax);
  }

  /** The items kept, head then tail. */
  items(): T[] {
    return [...this.head, ...(this.tail.length > this.tailMax ? this.tail.slice(-this.tailMax) : this.tail)];
  }

  /** Every item kept, in order, and between head and tail, what dropped(n) makes of the count. */
  itemsWithGap(gap: (dropped: number) => T): T[] {
    const dropped = this.dropped;
    if (!dropped) return this.items();
    const tail = this.tail.length > this.tailMax ? this.tail.slice(-this.tailMax) : this.tail;
    return [...this.head, gap(dropped), ...tail];
  }
}

/** Lines, with the gap said in words. */
export class CappedLines extends CappedList<string> {
  lines(): string[] {
    return this.itemsWithGap((n) => `… ${n} lines dropped …`);
  }
}

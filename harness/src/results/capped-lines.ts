/**
 * Keeps the first and the last lines of a stream that may not end: the head
 * says how it started, the tail holds what came just before a crash. Pure.
 */
export class CappedLines {
  private readonly head: string[] = [];
  private tail: string[] = [];
  private dropped = 0;

  constructor(private readonly headMax = 400, private readonly tailMax = 1600) {}

  push(line: string): void {
    if (this.head.length < this.headMax) {
      this.head.push(line);
      return;
    }
    this.tail.push(line);
    if (this.tail.length > this.tailMax * 2) {
      this.dropped += this.tail.length - this.tailMax;
      this.tail = this.tail.slice(-this.tailMax);
    }
  }

  lines(): string[] {
    let tail = this.tail;
    let dropped = this.dropped;
    if (tail.length > this.tailMax) {
      dropped += tail.length - this.tailMax;
      tail = tail.slice(-this.tailMax);
    }
    return dropped ? [...this.head, `… ${dropped} lines dropped …`, ...tail] : [...this.head, ...tail];
  }
}

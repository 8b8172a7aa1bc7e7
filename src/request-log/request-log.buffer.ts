/**
 * The rows waiting for their INSERT, oldest first. Bounded twice: in rows (REQUEST_LOG_BUFFER)
 * and in bytes (bodies can be large); a row that does not fit is dropped and counted, so a
 * request never waits for the log and memory never grows with an outage.
 */
export class BoundedBuffer<T> {
  private rows: T[] = [];
  private sizes: number[] = [];
  private bytes = 0;
  private droppedRows = 0;

  constructor(
    private readonly maxRows: number,
    private readonly maxBytes: number,
    private readonly sizeOf: (row: T) => number,
  ) {}

  get length(): number {
    return this.rows.length;
  }

  /** Rows dropped since this buffer was made. */
  get dropped(): number {
    return this.droppedRows;
  }

  /** Appends the row, or drops and counts it when the buffer is full. */
  add(row: T): boolean {
    const size = this.sizeOf(row);
    if (this.rows.length >= this.maxRows || this.bytes + size > this.maxBytes) {
      this.droppedRows++;
      return false;
    }
    this.rows.push(row);
    this.sizes.push(size);
    this.bytes += size;
    return true;
  }

  /** Removes and returns the oldest `count` rows. */
  take(count: number): T[] {
    const taken = this.rows.splice(0, count);
    for (const size of this.sizes.splice(0, taken.length)) this.bytes -= size;
    return taken;
  }

  /**
   * Returns rows whose INSERT failed to the front, oldest first, as many as there is room for
   * (rows added meanwhile keep their place); the rest are dropped and counted. Answers how many were dropped.
   */
  putBack(rows: T[]): number {
    const kept: T[] = [];
    const keptSizes: number[] = [];
    let bytes = this.bytes;
    for (const row of rows) {
      const size = this.sizeOf(row);
      if (this.rows.length + kept.length >= this.maxRows || bytes + size > this.maxBytes) break;
      kept.push(row);
      keptSizes.push(size);
      bytes += size;
    }
    this.rows = [...kept, ...this.rows];
    this.sizes = [...keptSizes, ...this.sizes];
    this.bytes = bytes;
    const dropped = rows.length - kept.length;
    this.droppedRows += dropped;
    return dropped;
  }

  /** Counts rows lost outside the buffer (an INSERT that can never succeed, a failed final flush). */
  countDropped(count: number): void {
    this.droppedRows += count;
  }
}

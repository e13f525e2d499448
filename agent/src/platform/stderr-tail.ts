/**
 * Keeps the last `limit` bytes written to it: enough of a child's stderr to explain a failure,
 * bounded so a chatty tool cannot grow memory. Reported tails are cut to whole lines.
 */
export class StderrTail {
  #chunks: Buffer[] = [];
  #bytes = 0;
  readonly #limit: number;

  constructor(limit = 8192) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes - (this.#chunks[0]?.length ?? 0) >= this.#limit && this.#chunks.length > 1) {
      this.#bytes -= this.#chunks.shift()!.length;
    }
  }

  /** At most `maxBytes` (default 1000) of the end of the stream, as trimmed text. */
  text(maxBytes = 1000): string {
    const all = Buffer.concat(this.#chunks);
    const tail = all.subarray(Math.max(0, all.length - maxBytes)).toString('utf8');
    const cut = all.length > maxBytes ? tail.slice(tail.indexOf('\n') + 1) : tail;
    return cut.trim();
  }
}

/** Lambda's `X-Amz-Log-Result` carries the last 4 KB of the invocation's log. */
export const LOG_TAIL_BYTES = 4096;

/**
 * Keeps the end of one invocation's log without holding all of it: old lines are dropped once the rest
 * already fills the tail.
 *
 * @example
 * const tail = new LogTail();
 * tail.append('START RequestId: 1 Version: $LATEST');
 * tail.toBase64(); // what X-Amz-Log-Result carries
 */
export class LogTail {
  private readonly lines: string[] = [];
  private bytes = 0;

  append(line: string): void {
    const text = `${line}\n`;
    this.lines.push(text);
    this.bytes += Buffer.byteLength(text);
    // Drop a line only while the remaining ones still cover the tail, so the cut stays exact.
    for (;;) {
      const first = this.lines[0];
      if (first === undefined || this.bytes - Buffer.byteLength(first) < LOG_TAIL_BYTES) break;
      this.bytes -= Buffer.byteLength(first);
      this.lines.shift();
    }
  }

  /** The last {@link LOG_TAIL_BYTES} bytes of the log. */
  toString(): string {
    return Buffer.from(this.lines.join('')).subarray(-LOG_TAIL_BYTES).toString();
  }
}

/**
 * Base64 of the last 4 KB of a log text, the `X-Amz-Log-Result` header value.
 *
 * @example
 * logResultHeader('hello\n'); // 'aGVsbG8K'
 */
export function logResultHeader(log: string): string {
  return Buffer.from(log).subarray(-LOG_TAIL_BYTES).toString('base64');
}

/**
 * Bounded output capture for spawned steps: only the last bytes of a step's combined stdout/stderr are
 * kept, however much it prints, and the tail is redacted before anyone sees it.
 */

/** Keeps the last `limit` bytes pushed into it; memory stays under about twice the limit plus one chunk. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Every byte ever pushed, kept or not. */
  total = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Uint8Array | string): void {
    const buf =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.total += buf.length;
    if (buf.length >= this.limit) {
      // Copy, so that the big chunk itself is not retained through a view.
      this.chunks = [Buffer.from(buf.subarray(buf.length - this.limit))];
      this.size = this.limit;
      return;
    }
    this.chunks.push(buf);
    this.size += buf.length;
    if (this.size > this.limit * 2) this.compact();
  }

  /** True when bytes were dropped from the front. */
  get truncated(): boolean {
    return this.total > this.limit;
  }

  bytes(): Buffer {
    this.compact();
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private compact(): void {
    const all = Buffer.concat(this.chunks);
    const keep = all.length > this.limit ? Buffer.from(all.subarray(all.length - this.limit)) : all;
    this.chunks = [keep];
    this.size = keep.length;
  }
}

/** Drops UTF-8 continuation bytes at the front (left over from cutting a character in two). */
function dropPartialChar(buf: Buffer): Buffer {
  let i = 0;
  while (i < 3 && i < buf.length && ((buf[i] ?? 0) & 0xc0) === 0x80) i++;
  return buf.subarray(i);
}

/** The last `maxBytes` bytes of `text`, cut on a character boundary. */
export function lastBytes(text: string, maxBytes: number): string {
  const buf = Buffer.from(text);
  if (buf.length <= maxBytes) return text;
  return dropPartialChar(buf.subarray(buf.length - maxBytes)).toString('utf8');
}

/**
 * Decodes, redacts and bounds a captured tail. When the capture was truncated, the first `marginBytes`
 * of it are redacted with the rest and then dropped: a secret cut in two by the truncation has its
 * visible remnant there, where no redaction pattern can match it any more.
 */
export function renderTail(
  capture: OutputTail,
  tailBytes: number,
  marginBytes: number,
  redact: (text: string) => string,
): string {
  const raw = capture.bytes();
  if (!capture.truncated) return lastBytes(redact(raw.toString('utf8')), tailBytes);
  const redacted = redact(dropPartialChar(raw).toString('utf8'));
  return lastBytes(redacted.slice(marginBytes), tailBytes);
}

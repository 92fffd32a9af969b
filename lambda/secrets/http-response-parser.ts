/**
 * Reads one HTTP/1.1 response (RFC 9112) from the bytes of a connection, as they arrive: the part of HTTP the
 * function's Secrets Manager client needs, and no more. A status line, header fields, and a body framed by
 * Content-Length, by chunked transfer coding, or by the connection's close; interim (1xx) responses skipped. Anything
 * else is refused as malformed, never guessed at: the client then reports the attempt as one that got no answer.
 *
 * Pure: no sockets (https-transport.ts feeds it), so every framing and every way of splitting the bytes is tested
 * without a server (test/unit/http-response-parser.test.ts, which also holds it to Node's own parser).
 */

export interface HttpResponse {
  readonly status: number;
  /** Header names in lower case; a repeated header's values joined with `, `, as RFC 9110 §5.3 allows. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Whether the connection may carry another request: HTTP/1.1, no `Connection: close`, nothing after the body. */
  readonly reusable: boolean;
}

/** The answer broke HTTP/1.1's syntax; `message` says where, never quoting the body. */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
}

/** What a header section may take, status line included: Lambda's Node.js runtime starts node with 80 KiB. */
export const MAX_HEAD_BYTES = 81_920;
/** A chunk-size line, extensions included: far more than any server writes. */
const MAX_CHUNK_LINE_BYTES = 4_096;

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-5]\d\d)(?: [\t\x20-\x7e\x80-\xff]*)?$/;
/** A field name: an RFC 9110 §5.6.2 token. The transport holds the names it sends to it too. */
export const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,15})[\t ]*(?:;.*)?$/;

type Framing = { kind: 'length'; remaining: number } | { kind: 'chunked' } | { kind: 'close' };

interface Head {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly keepAlive: boolean;
  readonly framing: Framing;
}

/**
 * @example
 * const parser = new HttpResponseParser();
 * socket.on('data', (bytes) => { const response = parser.push(bytes); if (response) … });
 * socket.on('end', () => { const response = parser.end(); … }); // undefined: the answer was cut short
 */
export class HttpResponseParser {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of `pending` already searched for the end of the header section. */
  private headScanned = 0;
  private head: Head | undefined;
  private readonly body: Buffer[] = [];
  /** In chunked framing: bytes of the current chunk still to come, or -1 before its size line. */
  private chunkRemaining = -1;
  private lastChunkSeen = false;
  private done: HttpResponse | undefined;

  /**
   * Takes the next bytes of the connection.
   *
   * @returns the response once it is complete, else undefined
   * @throws {MalformedResponseError} when the bytes are not an HTTP/1.1 response
   */
  push(bytes: Buffer): HttpResponse | undefined {
    if (this.done !== undefined) {
      // A server writes nothing after the response it was asked for: this connection carries no other.
      if (bytes.length > 0) this.done = { ...this.done, reusable: false };
      return this.done;
    }
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    while (this.head === undefined) {
      const head = this.readHead();
      if (head === undefined) return undefined;
      // An interim answer (100 Continue, 103 Early Hints) comes before the final one, with no body.
      if (head.status >= 200) this.head = head;
      else if (head.status === 101) throw new MalformedResponseError('answered 101 Switching Protocols to a request that asked for no upgrade');
    }
    return this.readBody(this.head);
  }

  /**
   * The connection closed: completes a response whose body runs to the close.
   *
   * @returns the response, or undefined when it was cut short
   */
  end(): HttpResponse | undefined {
    if (this.done !== undefined) return this.done;
    if (this.head?.framing.kind !== 'close') return undefined;
    return this.finish(this.head, false);
  }

  private readHead(): Head | undefined {
    // Searched from where the last search stopped, less the three bytes a split CRLFCRLF may have left.
    const end = this.pending.indexOf(HEAD_END, Math.max(0, this.headScanned - (HEAD_END.length - 1)));
    if (end === -1) {
      this.headScanned = this.pending.length;
      if (this.pending.length > MAX_HEAD_BYTES) throw new MalformedResponseError(`header section longer than ${MAX_HEAD_BYTES} bytes`);
      return undefined;
    }
    this.headScanned = 0;
    if (end + HEAD_END.length > MAX_HEAD_BYTES) throw new MalformedResponseError(`header section longer than ${MAX_HEAD_BYTES} bytes`);
    const lines = this.pending.subarray(0, end).toString('latin1').split('\r\n');
    this.pending = this.pending.subarray(end + HEAD_END.length);
    const statusLine = STATUS_LINE.exec(lines[0] ?? '');
    if (statusLine === null) throw new MalformedResponseError('the status line is not HTTP/1.0 or HTTP/1.1 with a three-digit status');
    const headers = parseFields(lines.slice(1));
    const status = Number(statusLine[2]);
    const connection = (headers.connection ?? '').toLowerCase().split(',').map((option) => option.trim());
    return {
      status,
      headers,
      keepAlive: statusLine[1] === '1' && !connection.includes('close'),
      framing: framingOf(status, headers),
    };
  }

  private readBody(head: Head): HttpResponse | undefined {
    const { framing } = head;
    if (framing.kind === 'close') {
      this.take(this.pending.length);
      return undefined;
    }
    if (framing.kind === 'length') {
      const taken = Math.min(framing.remaining, this.pending.length);
      this.take(taken);
      framing.remaining -= taken;
      return framing.remaining === 0 ? this.finish(head, head.keepAlive && this.pending.length === 0) : undefined;
    }
    return this.readChunks(head);
  }

  private readChunks(head: Head): HttpResponse | undefined {
    for (;;) {
      if (this.lastChunkSeen) {
        // The trailer section: field lines up to an empty one. Trailers carry nothing the client reads.
        const lineEnd = this.lineEnd(MAX_HEAD_BYTES, 'trailer line');
        if (lineEnd === -1) return undefined;
        const line = this.pending.subarray(0, lineEnd).toString('latin1');
        this.pending = this.pending.subarray(lineEnd + CRLF.length);
        if (line === '') return this.finish(head, head.keepAlive && this.pending.length === 0);
        parseFields([line]);
        continue;
      }
      if (this.chunkRemaining === -1) {
        const lineEnd = this.lineEnd(MAX_CHUNK_LINE_BYTES, 'chunk size line');
        if (lineEnd === -1) return undefined;
        const size = CHUNK_SIZE.exec(this.pending.subarray(0, lineEnd).toString('latin1'));
        if (size === null) throw new MalformedResponseError('a chunk size is not hexadecimal');
        this.pending = this.pending.subarray(lineEnd + CRLF.length);
        this.chunkRemaining = Number.parseInt(size[1] ?? '', 16);
        if (this.chunkRemaining === 0) this.lastChunkSeen = true;
        continue;
      }
      if (this.chunkRemaining > 0) {
        const taken = Math.min(this.chunkRemaining, this.pending.length);
        this.take(taken);
        this.chunkRemaining -= taken;
        if (this.chunkRemaining > 0) return undefined;
      }
      // A chunk's data ends with CRLF.
      if (this.pending.length < CRLF.length) return undefined;
      if (!this.pending.subarray(0, CRLF.length).equals(CRLF)) throw new MalformedResponseError('chunk data does not end where its size says');
      this.pending = this.pending.subarray(CRLF.length);
      this.chunkRemaining = -1;
    }
  }

  /** Where the next line ends (its CRLF), or -1 if it has not yet; a line longer than `limit` is refused either way. */
  private lineEnd(limit: number, what: string): number {
    const end = this.pending.indexOf(CRLF);
    if ((end === -1 ? this.pending.length : end) > limit) throw new MalformedResponseError(`${what} longer than ${limit} bytes`);
    return end;
  }

  private take(length: number): void {
    if (length === 0) return;
    this.body.push(this.pending.subarray(0, length));
    this.pending = this.pending.subarray(length);
  }

  private finish(head: Head, reusable: boolean): HttpResponse {
    this.done = { status: head.status, headers: head.headers, body: Buffer.concat(this.body), reusable };
    return this.done;
  }
}

function parseFields(lines: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    // No name, whitespace before the colon, or a line folded onto the one before (RFC 9112 §5.1, §5.2).
    if (colon <= 0 || !FIELD_NAME.test(name)) throw new MalformedResponseError('a header line is not `name: value`');
    // Optional whitespace is spaces and tabs only (RFC 9110 §5.6.3): a line break or form feed is refused, not trimmed.
    const value = line.slice(colon + 1).replace(/^[\t ]+|[\t ]+$/g, '');
    if (!FIELD_VALUE.test(value)) throw new MalformedResponseError(`header ${name} holds a control character`);
    const key = name.toLowerCase();
    fields[key] = fields[key] === undefined ? value : `${fields[key]}, ${value}`;
  }
  return fields;
}

/** How the body is delimited (RFC 9112 §6.3), for a response to a request that is not HEAD or CONNECT. */
function framingOf(status: number, headers: Readonly<Record<string, string>>): Framing {
  if (status === 204 || status === 304) return { kind: 'length', remaining: 0 };
  const transferEncoding = headers['transfer-encoding'];
  // Both at once is how responses are split and requests smuggled (RFC 9112 §6.3): refused, as Node's parser does.
  if (transferEncoding !== undefined && headers['content-length'] !== undefined) throw new MalformedResponseError('both Transfer-Encoding and Content-Length');
  if (transferEncoding !== undefined) {
    // Transfer-Encoding overrides Content-Length; a coding other than chunked last runs to the close.
    const codings = transferEncoding.toLowerCase().split(',').map((coding) => coding.trim());
    return codings[codings.length - 1] === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  }
  const contentLength = headers['content-length'];
  if (contentLength === undefined) return { kind: 'close' };
  // A repeated Content-Length is accepted only when every copy agrees (RFC 9110 §8.6).
  const lengths = new Set(contentLength.split(',').map((length) => length.trim()));
  const [length] = lengths;
  if (lengths.size !== 1 || length === undefined || !/^\d{1,15}$/.test(length)) throw new MalformedResponseError('Content-Length is not one decimal number');
  return { kind: 'length', remaining: Number(length) };
}

/**
 * The function's HTTP/1.1 response parser (lambda/secrets/http-response-parser.ts) as a specification: each framing
 * read whole and in any pieces (a socket delivers bytes cut wherever it likes), interim answers skipped, when a
 * connection may carry another request, and every malformation refused rather than guessed at. Last, held to Node's
 * own parser (llhttp) on generated responses served over a real socket.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import net from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../lambda/secrets/http-response-parser';
import { HttpResponseParser, MalformedResponseError, MAX_HEAD_BYTES } from '../../lambda/secrets/http-response-parser';

/** What the parser has answered by the time the connection closes, and once it has. */
interface Parsed {
  readonly beforeClose: HttpResponse | undefined;
  readonly afterClose: HttpResponse | undefined;
}

/** Response text as the wire carries it: one byte per character. */
const wire = (text: string): Buffer => Buffer.from(text, 'latin1');

/** A body that must never reach an error message (STYLE.md: no secret in any message). */
const SECRET = 'secret-value-xyz';

/** Feeds the bytes cut at the given offsets (0..length, in any order), then closes the connection. */
function parseInPieces(raw: Buffer, splitPoints: readonly number[] = []): Parsed {
  const parser = new HttpResponseParser();
  const ends = [...new Set(splitPoints), raw.length].sort((a, b) => a - b);
  let beforeClose: HttpResponse | undefined;
  let start = 0;
  for (const end of ends) {
    // Once complete, push keeps answering the response: the last answer is what the caller holds.
    beforeClose = parser.push(raw.subarray(start, end));
    start = end;
  }
  return { beforeClose, afterClose: parser.end() };
}

/** Every offset inside the bytes: fed with all of them as split points, one byte at a time. */
const everyOffset = (raw: Buffer): number[] => Array.from({ length: raw.length - 1 }, (_, index) => index + 1);

/** The expected result whole, cut at every single point (empty pieces included), and one byte at a time. */
function expectInAnyPieces(raw: Buffer, expected: Parsed): void {
  expect(parseInPieces(raw)).toEqual(expected);
  for (let at = 0; at <= raw.length; at += 1) expect(parseInPieces(raw, [at]), `split at byte ${at}`).toEqual(expected);
  expect(parseInPieces(raw, everyOffset(raw)), 'one byte at a time').toEqual(expected);
}

/** A response complete before the close: push answers it, and the close changes nothing. */
const completeBeforeClose = (response: HttpResponse): Parsed => ({ beforeClose: response, afterClose: response });

/** Refused with MalformedResponseError, and its message quotes none of the body. */
function expectRefused(raw: Buffer, splitPoints: readonly number[] = []): void {
  let error: unknown;
  try {
    parseInPieces(raw, splitPoints);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(MalformedResponseError);
  expect((error as Error).name).toBe('MalformedResponseError');
  expect((error as Error).message).not.toContain(SECRET);
}

describe('HttpResponseParser: framing', () => {
  const json = '{"Name":"prod/app","SecretString":"x"}';
  const withLength = wire(`HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: ${json.length}\r\n\r\n${json}`);

  it('reads a Content-Length body, the same whatever pieces it comes in', () => {
    expectInAnyPieces(withLength, completeBeforeClose({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(json.length) }, body: wire(json), reusable: true }));
  });

  it('answers only once the last byte of the body has arrived', () => {
    const parser = new HttpResponseParser();
    const answers = [...withLength].map((byte) => parser.push(Buffer.of(byte)));
    expect(answers.findIndex((answer) => answer !== undefined)).toBe(withLength.length - 1);
  });

  it('reads chunked transfer coding, skipping chunk extensions and the trailer section, in any pieces', () => {
    const raw = wire(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '5;name=value\r\nhello\r\n' +
        'A ; quoted="a;b"\r\n0123456789\r\n' + // upper-case hex, whitespace before the extension
        'a\r\nabcdefghij\r\n' + // lower-case hex
        '1F\r\n' + 'x'.repeat(31) + '\r\n' +
        '0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n',
    );
    // Trailer fields are not merged into the headers: the client reads nothing from them.
    expectInAnyPieces(raw, completeBeforeClose({ status: 200, headers: { 'transfer-encoding': 'chunked' }, body: wire(`hello0123456789abcdefghij${'x'.repeat(31)}`), reusable: true }));
  });

  it('skips interim answers (100 Continue, 103 Early Hints) that come before the final one', () => {
    const raw = wire('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    // The 103's Link header belongs to the interim answer, not to the final one.
    expectInAnyPieces(raw, completeBeforeClose({ status: 200, headers: { 'content-length': '2' }, body: wire('ok'), reusable: true }));
  });

  it('reads a body with neither Content-Length nor Transfer-Encoding up to the close, and never reuses the connection', () => {
    const raw = wire('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this, until the close');
    expectInAnyPieces(raw, { beforeClose: undefined, afterClose: { status: 200, headers: { 'content-type': 'text/plain' }, body: wire('all of this, until the close'), reusable: false } });
  });

  // RFC 9112 §6.3: a transfer coding other than chunked last runs to the close.
  it.each([
    ['gzip', true],
    ['chunked, gzip', true],
    ['gzip, chunked', false],
  ])('with Transfer-Encoding: %s, reads to the close: %s', (codings, toClose) => {
    const coded = '5\r\nhello\r\n0\r\n\r\n';
    const raw = wire(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${codings}\r\n\r\n${coded}`);
    const headers = { 'transfer-encoding': codings };
    const expected = toClose
      ? { beforeClose: undefined, afterClose: { status: 200, headers, body: wire(coded), reusable: false } }
      : completeBeforeClose({ status: 200, headers, body: wire('hello'), reusable: true });
    expectInAnyPieces(raw, expected);
  });

  it.each([
    ['204 No Content', 'HTTP/1.1 204 No Content\r\nDate: Thu, 03 Dec 2026 10:00:00 GMT\r\n\r\n', 204, { date: 'Thu, 03 Dec 2026 10:00:00 GMT' }],
    // A 304's Content-Length describes the representation it stands for, not a body (RFC 9110 §8.6).
    ['304 Not Modified, even with a Content-Length', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n\r\n', 304, { 'content-length': '1234' }],
    ['Content-Length: 0', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 200, { 'content-length': '0' }],
  ])('completes a response with no body at once: %s', (_, text, status, headers) => {
    expectInAnyPieces(wire(text), completeBeforeClose({ status, headers, body: Buffer.alloc(0), reusable: true }));
  });

  it.each([
    ['the body', `HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello`],
    ['the last chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n'],
    ['the end of the trailer section', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n'],
    ['the header section', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n'],
    ['the final answer after an interim one', 'HTTP/1.1 100 Continue\r\n\r\n'],
  ])('answers nothing when the connection closes before the end of %s', (_, text) => {
    expectInAnyPieces(wire(text), { beforeClose: undefined, afterClose: undefined });
  });
});

describe('HttpResponseParser: whether the connection may carry another request', () => {
  const body = 'hello';

  it.each([
    ['HTTP/1.1 with nothing after the body', true, 'HTTP/1.1 200 OK'],
    ['HTTP/1.1 with Connection: keep-alive', true, 'HTTP/1.1 200 OK\r\nConnection: keep-alive'],
    ['Connection: close', false, 'HTTP/1.1 200 OK\r\nConnection: close'],
    ['Connection: keep-alive, close', false, 'HTTP/1.1 200 OK\r\nConnection: keep-alive, close'],
    ['Connection options in any case', false, 'HTTP/1.1 200 OK\r\nConnection: Keep-Alive,CLOSE'],
    ['close in a repeated Connection header', false, 'HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nconnection: Close'],
    ['HTTP/1.0', false, 'HTTP/1.0 200 OK'],
    ['HTTP/1.0, even with Connection: keep-alive', false, 'HTTP/1.0 200 OK\r\nConnection: keep-alive'],
  ])('%s: reusable is %s', (_, reusable, head) => {
    const response = parseInPieces(wire(`${head}\r\nContent-Length: ${body.length}\r\n\r\n${body}`)).beforeClose;
    expect(response?.body).toEqual(wire(body));
    expect(response?.reusable).toBe(reusable);
  });

  it('not when bytes follow the body in the same push, whatever the framing', () => {
    const extra = 'HTTP/1.1 200 OK\r\n';
    const withLength = new HttpResponseParser().push(wire(`HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello${extra}`));
    const chunked = new HttpResponseParser().push(wire(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n${extra}`));
    expect(withLength).toMatchObject({ body: wire('hello'), reusable: false });
    expect(chunked).toMatchObject({ body: wire('hello'), reusable: false });
  });

  it('not once more bytes are pushed after the response was complete; an empty push changes nothing', () => {
    const parser = new HttpResponseParser();
    expect(parser.push(wire('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'))?.reusable).toBe(true);
    expect(parser.push(Buffer.alloc(0))?.reusable).toBe(true);
    // A server writes nothing it was not asked for: a connection out of step with it carries no other request.
    expect(parser.push(wire('X'))).toMatchObject({ status: 200, body: wire('hello'), reusable: false });
    expect(parser.end()?.reusable).toBe(false);
  });
});

describe('HttpResponseParser: header fields', () => {
  it('lower-cases names, trims values, joins repeated headers with ", " and accepts agreeing Content-Lengths', () => {
    const raw = wire(
      'HTTP/1.1 200 OK\r\n' +
        'X-Amzn-RequestId: \t abc-123 \t\r\n' +
        'X-Inner: a\tb  c\r\n' +
        'Vary: Accept\r\nVARY: Origin\r\n' +
        'X-Empty:\r\n' +
        'Content-Length: 5, 5\r\ncontent-length: 5\r\n\r\nhello',
    );
    expect(parseInPieces(raw).beforeClose).toEqual({
      status: 200,
      headers: { 'x-amzn-requestid': 'abc-123', 'x-inner': 'a\tb  c', vary: 'Accept, Origin', 'x-empty': '', 'content-length': '5, 5, 5' },
      body: wire('hello'),
      reusable: true,
    });
  });
});

describe('HttpResponseParser: malformed answers are refused, never quoting the body', () => {
  /** A response whose body is the secret, after the given status line and header lines. */
  const withSecretBody = (head: string) => wire(`${head}\r\nContent-Length: ${SECRET.length}\r\n\r\n${SECRET}`);
  const chunked = (coded: string) => wire(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${coded}`);

  it.each([
    ['HTTP/2 status line', withSecretBody('HTTP/2 200')],
    ['not HTTP at all', withSecretBody('ICY 200 OK')],
    ['a lower-case protocol name', withSecretBody('http/1.1 200 OK')],
    ['a two-digit status', withSecretBody('HTTP/1.1 20 OK')],
    ['a four-digit status', withSecretBody('HTTP/1.1 2000 OK')],
    ['a status out of range', withSecretBody('HTTP/1.1 600 Nope')],
    ['a header line folded with a space (obs-fold)', withSecretBody('HTTP/1.1 200 OK\r\nX-A: a\r\n continued')],
    ['a header line folded with a tab', withSecretBody('HTTP/1.1 200 OK\r\nX-A: a\r\n\tcontinued')],
    ['whitespace before the colon', withSecretBody('HTTP/1.1 200 OK\r\nX-A : a')],
    ['a header line with no colon', withSecretBody('HTTP/1.1 200 OK\r\nX-A a')],
    ['a header line with no name', withSecretBody('HTTP/1.1 200 OK\r\n: a')],
    ['a control character in a header value', withSecretBody('HTTP/1.1 200 OK\r\nX-Token: a\x01b')],
    ['NUL in a header value', withSecretBody('HTTP/1.1 200 OK\r\nX-Token: a\x00b')],
    ['DEL in a header value', withSecretBody('HTTP/1.1 200 OK\r\nX-Token: a\x7fb')],
    ['a control character in a header value holding the secret', withSecretBody(`HTTP/1.1 200 OK\r\nX-Token: ${SECRET}\x01`)],
    ['101 Switching Protocols, asked for by no request', withSecretBody('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade')],
    ['Content-Lengths that disagree', wire(`HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n${SECRET}`)],
    // How responses are split (RFC 9112 §6.3): refused, as Node's parser does.
    ['both Transfer-Encoding and Content-Length', wire(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\n${SECRET}\r\n0\r\n\r\n`)],
    ['a vertical tab at the edge of a header value', withSecretBody('HTTP/1.1 200 OK\r\nX-A: \x0ba\x0c')],
    ['a bare LF in a header value', withSecretBody('HTTP/1.1 200 OK\r\nX-A: a\n')],
    // However the bytes arrive: whole, the line's end is in sight at once.
    ['a chunk size line longer than 4096 bytes', chunked(`5;x=${'a'.repeat(5_000)}\r\n${SECRET.slice(0, 5)}\r\n0\r\n\r\n`)],
    ['a trailer line longer than the header limit', chunked(`0\r\nX-T: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n\r\n`)],
    ['Content-Length headers that disagree', wire(`HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n${SECRET}`)],
    ['a negative Content-Length', wire(`HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n${SECRET}`)],
    ['a Content-Length that is not a number', wire(`HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n${SECRET}`)],
    ['an empty Content-Length', wire(`HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n${SECRET}`)],
    ['a chunk size that is not hexadecimal', chunked(`zz\r\n${SECRET}\r\n0\r\n\r\n`)],
    ['a chunk size line that is the body', chunked(`${SECRET}\r\n0\r\n\r\n`)],
    ['a chunk size written 0x…', chunked(`0x10\r\n${SECRET}\r\n0\r\n\r\n`)],
    ['an empty chunk size line', chunked(`\r\n${SECRET}\r\n0\r\n\r\n`)],
    ['chunk data longer than its size', chunked(`5\r\nhello${SECRET}\r\n0\r\n\r\n`)],
    // Were the two bytes after the data skipped unread, the rest would read as a well-formed last chunk.
    ['chunk data followed by something other than CRLF', chunked(`10\r\n${SECRET}XY0\r\n\r\n`)],
    ['a trailer line with no colon', chunked(`10\r\n${SECRET}\r\n0\r\nnot a field\r\n\r\n`)],
  ])('%s', (_, raw) => {
    expectRefused(raw);
    expectRefused(raw, everyOffset(raw));
  });

  /** A complete header section, status line to the empty line, of exactly `length` bytes, announcing no body. */
  function headOfLength(length: number): Buffer {
    const start = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Filler: ';
    const end = '\r\n\r\n';
    return wire(start + 'a'.repeat(length - start.length - end.length) + end);
  }

  it(`accepts a header section of exactly MAX_HEAD_BYTES (${MAX_HEAD_BYTES}) bytes`, () => {
    const raw = headOfLength(MAX_HEAD_BYTES);
    expect(raw.length).toBe(MAX_HEAD_BYTES);
    expect(parseInPieces(raw).beforeClose).toMatchObject({ status: 200, reusable: true });
  });

  it('refuses a header section one byte longer, whether its end arrives with it or in a later piece', () => {
    const raw = headOfLength(MAX_HEAD_BYTES + 1);
    expectRefused(raw);
    // The first piece holds MAX_HEAD_BYTES bytes and no end yet; the end arrives too late.
    expectRefused(raw, [MAX_HEAD_BYTES]);
  });

  it('refuses a header section whose end never arrives, before the connection closes', () => {
    const endless = wire(`HTTP/1.1 200 OK\r\nX-Filler: ${'a'.repeat(MAX_HEAD_BYTES)}`);
    const parser = new HttpResponseParser();
    expect(() => {
      for (let start = 0; start < endless.length; start += 1024) parser.push(endless.subarray(start, start + 1024));
    }).toThrow(MalformedResponseError);
  });
});

describe('HttpResponseParser against Node\'s own HTTP client', () => {
  /** Generated header names: tokens, but none that frames the body or governs the connection (llhttp reads Proxy-Connection as Connection). */
  const framingNames = new Set(['content-length', 'transfer-encoding', 'connection', 'proxy-connection']);
  const headerName = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,16}$/).filter((name) => !framingNames.has(name.toLowerCase()));
  /** Printable values; `whitespace` goes around them on the wire, and both parsers drop it. */
  const headerValue = fc.stringMatching(/^(?:[!-~](?:[ -~]{0,30}[!-~])?)?$/);
  const whitespace = fc.constantFrom('', ' ', '  ', '\t');
  const framing = fc.oneof(
    fc.constant({ kind: 'length' as const }),
    fc.record({ kind: fc.constant('chunked' as const), cuts: fc.array(fc.nat(), { maxLength: 8 }), upperCase: fc.boolean() }),
    fc.constant({ kind: 'close' as const }),
  );
  const generatedResponse = fc.record({
    // 1xx are interim answers, and 204 and 304 never have a body.
    status: fc.integer({ min: 200, max: 599 }).filter((status) => status !== 204 && status !== 304),
    reason: fc.stringMatching(/^[ -~]{0,20}$/),
    headers: fc.array(fc.record({ name: headerName, before: whitespace, value: headerValue, after: whitespace }), { maxLength: 3 }),
    // size 'max': fast-check's default size keeps arrays to about ten elements.
    body: fc.uint8Array({ maxLength: 2000, size: 'max' }).map((bytes) => Buffer.from(bytes)),
    framing,
  });
  type GeneratedResponse = typeof generatedResponse extends fc.Arbitrary<infer T> ? T : never;

  /** The response as a server would write it. */
  function serialise({ status, reason, headers, body, framing }: GeneratedResponse): Buffer {
    const lines = [`HTTP/1.1 ${status} ${reason}`, ...headers.map(({ name, before, value, after }) => `${name}:${before}${value}${after}`)];
    if (framing.kind === 'length') lines.push(`Content-Length: ${body.length}`);
    if (framing.kind !== 'chunked') return Buffer.concat([wire(`${lines.join('\r\n')}\r\n\r\n`), body]);
    lines.push('Transfer-Encoding: chunked');
    // No empty chunk but the last: a zero size ends the body.
    const offsets = [...new Set([0, ...framing.cuts.map((cut) => cut % (body.length + 1)), body.length])].sort((a, b) => a - b);
    const chunks = offsets.slice(1).map((end, index) => body.subarray(offsets[index], end));
    const hex = (size: number) => (framing.upperCase ? size.toString(16).toUpperCase() : size.toString(16));
    return Buffer.concat([wire(`${lines.join('\r\n')}\r\n\r\n`), ...chunks.flatMap((chunk) => [wire(`${hex(chunk.length)}\r\n`), chunk, wire('\r\n')]), wire('0\r\n\r\n')]);
  }

  /** A TCP server that answers each request with raw bytes, no HTTP library between them and the client. */
  async function startRawServer(): Promise<{ port: number; answerWith(raw: Buffer, closeAfter: boolean): void; close(): Promise<void> }> {
    const sockets = new Set<Socket>();
    let answer: { raw: Buffer; closeAfter: boolean } = { raw: Buffer.alloc(0), closeAfter: true };
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined); // the client may reset the connection once it has its answer
      let request = '';
      socket.on('data', (bytes) => {
        const complete = request.includes('\r\n\r\n');
        request += bytes.toString('latin1');
        if (complete || !request.includes('\r\n\r\n')) return;
        socket.write(answer.raw);
        // A body framed by the close ends here; otherwise the client closes once it has read the answer
        // (agent: false sends Connection: close), and the timeout is only a backstop.
        if (answer.closeAfter) socket.end();
        else socket.setTimeout(2_000, () => socket.end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      answerWith: (raw, closeAfter) => {
        answer = { raw, closeAfter };
      },
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      },
    };
  }

  /** What Node's http client reads: status, headers as received (repeats joined with ", "), body. */
  function askNode(port: number): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const headers: Record<string, string> = {};
          for (let index = 0; index < response.rawHeaders.length; index += 2) {
            const name = (response.rawHeaders[index] ?? '').toLowerCase();
            const value = response.rawHeaders[index + 1] ?? '';
            headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
          }
          resolve({ status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
        });
      });
      request.on('error', reject);
      request.end();
    });
  }

  it('reads the status, headers and body Node reads, for any response, framing and pieces', async () => {
    const server = await startRawServer();
    try {
      await fc.assert(
        fc.asyncProperty(generatedResponse, fc.array(fc.nat(), { maxLength: 12 }), async (generated, cuts) => {
          const raw = serialise(generated);
          server.answerWith(raw, generated.framing.kind === 'close');
          const node = await askNode(server.port);
          const ours = parseInPieces(raw, cuts.map((cut) => cut % (raw.length + 1)));

          // Complete before the close exactly when the headers say where the body ends; only then reusable.
          const framed = generated.framing.kind !== 'close';
          expect(ours.beforeClose === undefined).toBe(!framed);
          expect(ours.afterClose?.reusable).toBe(framed);
          // Bodies compared as hex: vitest takes about half a second to diff two 2000-element Buffers, once per shrink.
          expect({ status: ours.afterClose?.status, headers: ours.afterClose?.headers, body: ours.afterClose?.body.toString('hex') }).toEqual({ ...node, body: node.body.toString('hex') });
          expect(node.body.toString('hex')).toBe(generated.body.toString('hex'));
        }),
        // Shrinking a 2000-byte body, one request per attempt, could outlast the test's timeout: past the limit,
        // fast-check reports the smallest counterexample found so far.
        { numRuns: 40, interruptAfterTimeLimit: 5_000 },
      );
    } finally {
      await server.close();
    }
  });
});

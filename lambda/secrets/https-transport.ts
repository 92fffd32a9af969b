import net from 'node:net';
import tls from 'node:tls';
import type { HttpResponse } from './http-response-parser';
import { FIELD_NAME, HttpResponseParser, MalformedResponseError } from './http-response-parser';

/** One HTTP exchange of the JSON protocol: a POST with a body, and the whole answer back. */
export interface HttpExchange {
  readonly url: URL;
  /** The headers to send, exactly as signed; the transport adds `host` (the URL's) if absent, and frames the body. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Sends an exchange. Fails when no answer came; any answer, an error status included, resolves. */
export type Transport = (exchange: HttpExchange) => Promise<HttpAnswer>;

/** A failure with no answer: a refused or dropped connection, an attempt that outran its time, or bytes that are not HTTP. */
export class NoAnswerError extends Error {
  override readonly name = 'NoAnswerError';

  /** @param reason the socket error's code (ECONNRESET…), TimeoutError, or MalformedResponse */
  constructor(
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface TransportOptions {
  /** Certificates to trust instead of Node's (the local endpoints' test CA); Lambda's are Node's own. */
  readonly ca?: string;
  /** How long an attempt may wait for its socket to move before it is given up as a TimeoutError. */
  readonly timeoutMs: number;
}

/**
 * A connection idle longer than this is closed rather than reused: a container frozen between invocations wakes
 * with connections the endpoint has long dropped, and a request written on one would fail and wait for a retry.
 */
export const IDLE_REUSE_MS = 20_000;

/**
 * HTTP/1.1 over Node's `tls` (or `net`, for a local http: endpoint), with keep-alive: the calls of one invocation, and
 * of the next on a warm container, reuse their connections, and a new connection resumes the last TLS session. TLS is
 * verified as Node verifies it (certificate chain against Node's CAs, or `ca`; host name), with no way to turn that
 * off.
 *
 * Why not `node:https`: pg already loads `net` and `tls`, while `https` brings Node's HTTP stack (its agent, its
 * client and server, the llhttp parser) for three short POSTs. Lambda starts node with --expose-gc, under which V8
 * declines the code cache Node ships for its own modules, so all of that is compiled at a cold start: 12 to 14 ms of
 * a cold rotation, measured. The part of HTTP these calls use is small, and parsed in http-response-parser.ts.
 */
export function httpsTransport(options: TransportOptions): Transport {
  const idle = new Map<string, Connection[]>();
  const sessions = new Map<string, Buffer>();

  const acquire = (url: URL): Connection => {
    const pool = idle.get(url.origin) ?? [];
    idle.set(url.origin, pool);
    for (let connection = pool.pop(); connection !== undefined; connection = pool.pop()) {
      if (connection.usable(Date.now())) return connection;
      connection.close();
    }
    return new Connection(open(url, options.ca, sessions), {
      release: (connection) => pool.push(connection),
      forget: (connection) => {
        const index = pool.indexOf(connection);
        if (index !== -1) pool.splice(index, 1);
      },
    });
  };

  return async (exchange) => {
    const { protocol } = exchange.url;
    if (protocol !== 'https:' && protocol !== 'http:') {
      throw new NoAnswerError('InvalidEndpoint', `endpoint ${exchange.url.origin} is neither https: nor http:`);
    }
    const request = requestHead(exchange);
    const response = await acquire(exchange.url).exchange(request, exchange.body, options.timeoutMs, exchange.url.host);
    return { status: response.status, headers: response.headers, body: response.body.toString('utf8') };
  };
}

function open(url: URL, ca: string | undefined, sessions: Map<string, Buffer>): net.Socket {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (url.protocol === 'http:') return net.connect({ host, port });
  const socket = tls.connect({
    host,
    port,
    // SNI names the host; an IP address is not sent (RFC 6066 §3), and the certificate is checked against it.
    ...(net.isIP(host) === 0 ? { servername: host } : {}),
    ...(ca === undefined ? {} : { ca }),
    ALPNProtocols: ['http/1.1'],
    session: sessions.get(url.origin),
  });
  socket.on('session', (session: Buffer) => sessions.set(url.origin, session));
  return socket;
}

/** Framing headers the transport writes itself, from the body it sends. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding']);

/** The request line and header section; header values are the client's own, checked for line breaks all the same. */
function requestHead(exchange: HttpExchange): string {
  let head = `POST ${exchange.url.pathname}${exchange.url.search} HTTP/1.1\r\n`;
  if (!Object.keys(exchange.headers).some((name) => name.toLowerCase() === 'host')) head += `host: ${exchange.url.host}\r\n`;
  for (const [name, value] of Object.entries(exchange.headers)) {
    if (!FIELD_NAME.test(name) || /[\r\n\0]/.test(value)) {
      // The value may be a credential: named by its header only.
      throw new NoAnswerError('InvalidRequestHeader', `header ${JSON.stringify(name)} cannot be sent: a name that is not a token, or a line break in its value`);
    }
    if (!FRAMING_HEADERS.has(name.toLowerCase())) head += `${name}: ${value}\r\n`;
  }
  return `${head}content-length: ${Buffer.byteLength(exchange.body)}\r\n\r\n`;
}

interface Pool {
  release(connection: Connection): void;
  forget(connection: Connection): void;
}

interface InFlight {
  readonly parser: HttpResponseParser;
  readonly resolve: (response: HttpResponse) => void;
  readonly reject: (error: NoAnswerError) => void;
  readonly timeoutMs: number;
  readonly host: string;
}

/**
 * One connection: one exchange at a time, then back to the pool if the answer allows it. Its listeners stay for its
 * whole life, so an error while it is idle closes it instead of going unhandled.
 */
class Connection {
  private inFlight: InFlight | undefined;
  private idleSince = 0;
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly pool: Pool,
  ) {
    socket.on('data', (bytes: Buffer) => this.data(bytes));
    socket.on('end', () => this.ended());
    socket.on('close', () => this.ended());
    socket.on('error', (error: NodeJS.ErrnoException) => this.failed(new NoAnswerError(error.code ?? error.name, error.message, { cause: error })));
    socket.on('timeout', () => {
      const flight = this.inFlight;
      const message = flight === undefined ? 'idle' : `no answer from ${flight.host} within ${flight.timeoutMs} ms`;
      this.failed(new NoAnswerError('TimeoutError', message));
    });
  }

  usable(now: number): boolean {
    return !this.closed && !this.socket.destroyed && now - this.idleSince <= IDLE_REUSE_MS;
  }

  exchange(head: string, body: string, timeoutMs: number, host: string): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      this.inFlight = { parser: new HttpResponseParser(), resolve, reject, timeoutMs, host };
      this.socket.ref();
      this.socket.setTimeout(timeoutMs);
      this.socket.write(head + body);
    });
  }

  close(): void {
    this.closed = true;
    this.pool.forget(this);
    this.socket.destroy();
  }

  private data(bytes: Buffer): void {
    const flight = this.inFlight;
    // Bytes no request asked for: this connection is no longer in step with the server.
    if (flight === undefined) return this.close();
    let response: HttpResponse | undefined;
    try {
      response = flight.parser.push(bytes);
    } catch (error) {
      return this.failed(malformed(error));
    }
    if (response !== undefined) this.answered(response);
  }

  private ended(): void {
    const flight = this.inFlight;
    const response = flight?.parser.end();
    if (response !== undefined) return this.answered(response);
    this.failed(new NoAnswerError('ECONNRESET', 'the connection closed before the answer was complete'));
  }

  private answered(response: HttpResponse): void {
    const flight = this.inFlight;
    this.inFlight = undefined;
    this.socket.setTimeout(0);
    if (response.reusable && !this.closed) {
      this.idleSince = Date.now();
      // An idle connection keeps no process alive (a test's, the CLI's); Lambda freezes it with the container.
      this.socket.unref();
      this.pool.release(this);
    } else {
      this.close();
    }
    flight?.resolve(response);
  }

  private failed(error: NoAnswerError): void {
    const flight = this.inFlight;
    this.inFlight = undefined;
    this.close();
    flight?.reject(error);
  }
}

function malformed(error: unknown): NoAnswerError {
  const message = error instanceof MalformedResponseError ? error.message : 'the answer could not be read';
  return new NoAnswerError('MalformedResponse', `the answer is not HTTP/1.1: ${message}`, { cause: error });
}

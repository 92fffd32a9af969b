import type http from 'node:http';
import https from 'node:https';

/** One HTTP exchange of the JSON protocol: a POST with a body, and the whole answer back. */
export interface HttpExchange {
  readonly url: URL;
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

/** A failure with no answer: a refused or dropped connection, or an attempt that outran its time. */
export class NoAnswerError extends Error {
  override readonly name = 'NoAnswerError';

  /** @param reason the socket error's code (ECONNRESET…), or TimeoutError */
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
 * Node's own `https` (or `http`, for a local endpoint) with keep-alive, so the calls of one invocation, and of the
 * next on a warm container, reuse their TLS connections. TLS is verified against Node's CAs, or `ca`.
 */
export function httpsTransport(options: TransportOptions): Transport {
  const tlsAgent = new https.Agent({ keepAlive: true, ...(options.ca === undefined ? {} : { ca: options.ca }) });
  let plain: Promise<{ request: typeof http.request; agent: http.Agent }> | undefined;
  // Imported only for an http: endpoint (the local ones): importing node:http as an ES module builds its facade,
  // which loads undici, about 20 ms of a cold start that Lambda, always on https:, would pay for nothing.
  const plainHttp = () => (plain ??= import('node:http').then((module) => ({ request: module.request, agent: new module.Agent({ keepAlive: true }) })));

  return async (exchange) => {
    const { protocol } = exchange.url;
    if (protocol !== 'https:' && protocol !== 'http:') {
      throw new NoAnswerError('InvalidEndpoint', `endpoint ${exchange.url.origin} is neither https: nor http:`);
    }
    const { request: send, agent } = protocol === 'https:' ? { request: https.request, agent: tlsAgent } : await plainHttp();
    return new Promise((resolve, reject) => {
      const request = send(exchange.url, { method: 'POST', headers: exchange.headers, agent, timeout: options.timeoutMs }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => reject(noAnswer(error)));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      request.on('timeout', () => request.destroy(new NoAnswerError('TimeoutError', `no answer from ${exchange.url.host} within ${options.timeoutMs} ms`)));
      request.on('error', (error) => reject(noAnswer(error)));
      request.end(exchange.body);
    });
  };
}

function noAnswer(error: Error): NoAnswerError {
  if (error instanceof NoAnswerError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new NoAnswerError(code ?? error.name, error.message, { cause: error });
}

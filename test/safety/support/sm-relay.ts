/**
 * A fault relay between pg-rotator and the local Secrets Manager. The endpoint's own fault injector counts requests
 * per operation; once a step sends requests concurrently (prefetching reads while DescribeSecret is in flight),
 * "the nth GetSecretValue" no longer names one request. This relay names requests by what they ask for (operation,
 * which secret, which stage) and groups the client's retries of one call by its `amz-sdk-invocation-id` header, so a
 * fault hits exactly one logical call: its first attempt only (the client's retry recovers) or every attempt (the call
 * fails for the function). Everything else is relayed untouched.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One attempt of a Secrets Manager call, as the relay sees it. */
export interface RelayedRequest {
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** The SDK's id of the logical call; its retries carry the same one. */
  readonly invocationId: string;
}

export interface RelayFault {
  /** Which calls this fault counts. */
  readonly matches: (request: RelayedRequest) => boolean;
  /** The nth matching logical call is hit (1-based). */
  readonly nth: number;
  readonly attempts: 'first' | 'all';
  /** `hold`: the attempt waits until `until` settles, then goes on (to build an exact interleaving). */
  readonly kind: 'internal-error' | 'throttle' | 'latency' | 'hold';
  /** `before`: the endpoint never sees the attempt. `after`: it is applied, and the answer is replaced. */
  readonly when: 'before' | 'after';
  readonly latencyMs?: number;
  readonly until?: Promise<unknown>;
}

export interface ArmedRelayFault {
  /** Attempts the fault hit. */
  readonly hits: number;
  disarm(): void;
}

export interface SmRelay {
  readonly endpoint: string;
  arm(fault: RelayFault): ArmedRelayFault;
  /** Calls `listener` for every attempt relayed; returns the function that stops it. */
  watch(listener: (request: RelayedRequest) => void): () => void;
  close(): Promise<void>;
}

const ERRORS = {
  'internal-error': { status: 500, type: 'InternalServiceError', message: 'An error occurred on the server side.' },
  throttle: { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' },
} as const;

interface Armed {
  readonly fault: RelayFault;
  readonly seen: Set<string>;
  target: string | undefined;
  hits: number;
}

export async function startSmRelay(upstream: string): Promise<SmRelay> {
  const target = new URL(upstream);
  const faults = new Set<Armed>();
  const watchers = new Set<(request: RelayedRequest) => void>();

  const server = createServer((req, res) => {
    void relay(req, res).catch(() => res.destroy());
  });

  async function relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const request = describe(req, body);
    for (const watcher of watchers) watcher(request);
    const hit = [...faults].find((armed) => hits(armed, request))?.fault;
    const wait = async () => {
      if (hit?.kind === 'latency') await sleep(hit.latencyMs ?? 0);
      if (hit?.kind === 'hold') await hit.until?.catch(() => undefined);
    };
    const failure = hit?.kind === 'internal-error' || hit?.kind === 'throttle' ? hit.kind : undefined;
    if (hit?.when === 'before') await wait();
    if (failure !== undefined && hit?.when === 'before') return answerError(res, failure);
    const answer = await forward(target, req, body);
    if (hit?.when === 'after') await wait();
    if (failure !== undefined && hit?.when === 'after') return answerError(res, failure);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    arm(fault) {
      const armed: Armed = { fault, seen: new Set(), target: undefined, hits: 0 };
      faults.add(armed);
      return {
        get hits() {
          return armed.hits;
        },
        disarm: () => faults.delete(armed),
      };
    },
    watch(listener) {
      watchers.add(listener);
      return () => watchers.delete(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Counts logical calls and decides whether this attempt is hit. */
function hits(armed: Armed, request: RelayedRequest): boolean {
  if (!armed.fault.matches(request)) return false;
  if (!armed.seen.has(request.invocationId)) {
    armed.seen.add(request.invocationId);
    if (armed.seen.size === armed.fault.nth) armed.target = request.invocationId;
  }
  if (request.invocationId !== armed.target) return false;
  if (armed.fault.attempts === 'first' && armed.hits > 0) return false;
  armed.hits += 1;
  return true;
}

function describe(req: IncomingMessage, body: Buffer): RelayedRequest {
  const targetHeader = String(req.headers['x-amz-target'] ?? '');
  let input: Record<string, unknown> = {};
  try {
    input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
  } catch {
    // Relayed as is; the endpoint answers SerializationException.
  }
  return {
    operation: targetHeader.replace(/^secretsmanager\./, ''),
    input,
    invocationId: String(req.headers['amz-sdk-invocation-id'] ?? `no-id-${Math.random()}`),
  };
}

function answerError(res: ServerResponse, kind: 'internal-error' | 'throttle'): void {
  const error = ERRORS[kind];
  res.writeHead(error.status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify({ __type: error.type, message: error.message }));
}

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      // The Host header as the client signed it: the endpoint checks the signature (it does not route by host).
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        void readAll(answer).then((data) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: data }), reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

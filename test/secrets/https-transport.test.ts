/**
 * The Secrets Manager client's HTTP/1.1 transport (lambda/secrets/https-transport.ts) against real servers on this
 * machine: Node's own HTTPS server with the test PKI, and raw TCP servers that answer what a misbehaving peer would.
 * What it must do as Node's `https` did: verify TLS with no way around it, keep connections alive and resume TLS
 * sessions, and report every failure as an answer that never came.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestCertificates } from '../../local/postgres/certificates';
import { createTestCertificates } from '../../local/postgres/certificates';
import type { Transport } from '../../lambda/secrets/https-transport';
import { httpsTransport, IDLE_REUSE_MS, NoAnswerError } from '../../lambda/secrets/https-transport';
import { rejectionOf } from '../harness/support/local-aws';

const run = promisify(execFile);

let pki: TestCertificates;
beforeAll(async () => {
  pki = await createTestCertificates();
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(closers.splice(0).map((close) => close()));
});

interface EchoServer {
  readonly url: URL;
  /** Connections accepted, and how many of them resumed a TLS session. */
  readonly connections: { opened: number; resumed: number };
  /** What each request carried. */
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  /** Ends every open connection, as a server closing idle keep-alive connections does. */
  dropConnections(): void;
}

/** Node's HTTPS server with a certificate for localhost from the test CA: answers each POST with its body, in JSON. */
async function echoServer(options: { certificate?: 'local' | 'wrong-host'; keepAliveMs?: number } = {}): Promise<EchoServer> {
  const { certPem, keyPem } = options.certificate === 'wrong-host' ? pki.wrongHostServer : pki.localServer;
  const sockets = new Set<Socket>();
  const server = createHttpsServer({ cert: certPem, key: keyPem }, (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      state.requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `request-${state.requests.length}` });
      response.end(JSON.stringify({ echoed: body }));
    });
  });
  if (options.keepAliveMs !== undefined) server.keepAliveTimeout = options.keepAliveMs;
  server.on('secureConnection', (socket: TLSSocket) => {
    state.connections.opened++;
    if (socket.isSessionReused()) state.connections.resumed++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const state: EchoServer = {
    url: new URL(`https://localhost:${(server.address() as AddressInfo).port}/`),
    connections: { opened: 0, resumed: 0 },
    requests: [],
    dropConnections: () => sockets.forEach((socket) => socket.end()),
  };
  closers.push(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return state;
}

/** A TCP server that answers each request's header section with `answer`, as a misbehaving peer would. */
async function rawServer(answer: (socket: Socket) => void): Promise<{ url: URL; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    let received = '';
    socket.on('data', (bytes: Buffer) => {
      received += bytes.toString('latin1');
      if (received.includes('\r\n\r\n')) answer(socket);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => {
    sockets.forEach((socket) => socket.destroy());
    server.close(() => resolve());
  }));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`), connections: () => connections };
}

const post = (transport: Transport, url: URL, body = '{"SecretId":"app"}', headers: Record<string, string> = {}) =>
  transport({ url, headers: { 'content-type': 'application/x-amz-json-1.1', ...headers }, body });

describe("the Secrets Manager client's transport", () => {
  it('sends a POST with Host and Content-Length (its own, counted in bytes), and reads the answer', async () => {
    const server = await echoServer();
    const body = '{"SecretId":"app","SecretString":"pässwörd"}';

    const answer = await post(httpsTransport({ timeoutMs: 5_000, ca: pki.caPem }), server.url, body, { 'x-amz-target': 'secretsmanager.PutSecretValue', 'Content-Length': String(body.length) });

    expect(answer).toMatchObject({ status: 200, body: JSON.stringify({ echoed: body }) });
    expect(answer.headers['x-amzn-requestid']).toBe('request-1');
    expect(server.requests).toEqual([
      {
        method: 'POST',
        url: '/',
        body,
        headers: expect.objectContaining({ host: server.url.host, 'content-length': String(Buffer.byteLength(body)), 'x-amz-target': 'secretsmanager.PutSecretValue' }),
      },
    ]);
  });

  it('keeps connections alive: calls one after another share one, calls at once open one each, all reused after', async () => {
    const server = await echoServer();
    const transport = httpsTransport({ timeoutMs: 5_000, ca: pki.caPem });

    await post(transport, server.url);
    await post(transport, server.url);
    expect(server.connections.opened).toBe(1);

    await Promise.all([post(transport, server.url), post(transport, server.url), post(transport, server.url)]);
    expect(server.connections.opened).toBe(3);
    await Promise.all([post(transport, server.url), post(transport, server.url), post(transport, server.url)]);
    expect(server.connections.opened).toBe(3);
    expect(server.requests).toHaveLength(8);
  });

  it('opens a new connection when the server closed the idle one, resuming the TLS session', async () => {
    const server = await echoServer();
    const transport = httpsTransport({ timeoutMs: 5_000, ca: pki.caPem });
    await post(transport, server.url);

    server.dropConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(post(transport, server.url)).resolves.toMatchObject({ status: 200 });

    expect(server.connections).toEqual({ opened: 2, resumed: 1 });
  });

  it(`does not reuse a connection idle for more than ${IDLE_REUSE_MS / 1000} s (a thawed container's are long dropped)`, async () => {
    const server = await echoServer();
    const transport = httpsTransport({ timeoutMs: 5_000, ca: pki.caPem });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    await post(transport, server.url);

    vi.setSystemTime(Date.now() + IDLE_REUSE_MS - 1_000);
    await post(transport, server.url);
    expect(server.connections.opened).toBe(1);
    vi.setSystemTime(Date.now() + IDLE_REUSE_MS + 1_000);
    await post(transport, server.url);
    expect(server.connections.opened).toBe(2);
  });

  it('keeps no process alive while its connections are idle (a CLI, a test run)', async () => {
    const server = await echoServer({ keepAliveMs: 60_000 });
    const transportModule = pathToFileURL(path.resolve('lambda/secrets/https-transport.ts')).href;
    const script = `
      import { httpsTransport } from ${JSON.stringify(transportModule)};
      const answer = await httpsTransport({ timeoutMs: 5000, ca: process.env.TEST_CA })({ url: new URL(process.env.TEST_URL), headers: {}, body: '{}' });
      console.log(answer.status);`;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

    // The server would hold the connection for a minute: the process must end on its own well before.
    const { stdout } = await run(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
      env: { ...process.env, TEST_CA: pki.caPem, TEST_URL: server.url.href },
      timeout: 10_000,
    });

    expect(stdout.trim()).toBe('200');
    expect(server.connections.opened).toBe(1);
  });
});

describe('TLS, verified with no way around it', () => {
  it("refuses a server whose certificate no trusted CA signed, sending nothing (Node's CAs by default)", async () => {
    const server = await echoServer();

    for (const transport of [httpsTransport({ timeoutMs: 5_000 }), httpsTransport({ timeoutMs: 5_000, ca: pki.otherCaPem })]) {
      const error = await rejectionOf(post(transport, server.url, '{"SecretString":"never-sent"}'));
      expect(error).toBeInstanceOf(NoAnswerError);
      expect((error as NoAnswerError).reason).toMatch(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/);
    }
    expect(server.requests).toEqual([]);
  });

  it('refuses a certificate from the trusted CA issued for another host name', async () => {
    const server = await echoServer({ certificate: 'wrong-host' });

    const error = await rejectionOf(post(httpsTransport({ timeoutMs: 5_000, ca: pki.caPem }), server.url));

    expect(error).toMatchObject({ name: 'NoAnswerError', reason: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(server.requests).toEqual([]);
  });
});

describe('an answer that never came', () => {
  it('names a connection dropped mid-answer ECONNRESET (which the client retries), and does not reuse it', async () => {
    const { url, connections } = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"partial":'));
    const transport = httpsTransport({ timeoutMs: 5_000 });

    expect(await rejectionOf(post(transport, url))).toMatchObject({ name: 'NoAnswerError', reason: 'ECONNRESET' });
    await rejectionOf(post(transport, url));
    expect(connections()).toBe(2);
  });

  it('gives up a silent server after the attempt timeout, as a TimeoutError', async () => {
    const { url } = await rawServer(() => undefined);

    const error = await rejectionOf(post(httpsTransport({ timeoutMs: 100 }), url));

    expect(error).toMatchObject({ name: 'NoAnswerError', reason: 'TimeoutError' });
    expect(error.message).toContain('within 100 ms');
  });

  it('reports bytes that are not HTTP/1.1 as MalformedResponse, without quoting them, and drops the connection', async () => {
    const { url, connections } = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5, 6\r\n\r\nsecret-value-in-body'));
    const transport = httpsTransport({ timeoutMs: 5_000 });

    const error = await rejectionOf(post(transport, url));
    expect(error).toMatchObject({ name: 'NoAnswerError', reason: 'MalformedResponse' });
    expect(error.message).not.toContain('secret-value');
    await rejectionOf(post(transport, url));
    expect(connections()).toBe(2);
  });

  it('reads a chunked answer, and one that runs to the close', async () => {
    const chunked = await rawServer((socket) => socket.write('HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\nx-amzn-errortype: ValidationException\r\n\r\n4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n'));
    const toClose = await rawServer((socket) => socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n<html>busy</html>'));
    const transport = httpsTransport({ timeoutMs: 5_000 });

    expect(await post(transport, chunked.url)).toMatchObject({ status: 400, body: '{"a":1}', headers: { 'x-amzn-errortype': 'ValidationException' } });
    expect(await post(transport, toClose.url)).toMatchObject({ status: 503, body: '<html>busy</html>' });
  });

  it('refuses a header it cannot send, naming the header and never its value', async () => {
    const { url, connections } = await rawServer(() => undefined);

    const error = await rejectionOf(post(httpsTransport({ timeoutMs: 5_000 }), url, '{}', { 'x-amz-security-token': 'token-value\r\nx-injected: yes' }));

    expect(error).toMatchObject({ name: 'NoAnswerError', reason: 'InvalidRequestHeader' });
    expect(error.message).toContain('x-amz-security-token');
    expect(error.message).not.toContain('token-value');
    expect(connections()).toBe(0);
  });
});


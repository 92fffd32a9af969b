/**
 * A hostile PostgreSQL server: it speaks just enough of the wire protocol (PostgreSQL docs, "Frontend/Backend
 * Protocol", "Message Flow: Start-up") to accept a connection, upgrade it to TLS with a certificate a client may well
 * trust, read the startup message, and then ask for the password the way an attacker would want it: in cleartext,
 * as an md5 hash, or by SCRAM without channel binding. It records everything the client sends after that request, so
 * a test can prove that no password ever reached it. Or, once "logged in", it answers nothing at all.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { CertificateAndKey } from '../../local/postgres/certificates';

/** How the fake server asks for the password. */
export type FakeAsk = 'cleartext' | 'md5' | 'scram-without-plus' | 'trust-then-silent';

/** What one client connection did. */
export interface FakeConnection {
  readonly tls: boolean;
  readonly user: string | undefined;
  /** Messages the client sent after the authentication request, by type ('p': a password, hash or SASL response). */
  readonly messagesAfterAsk: string[];
}

export interface FakePostgres {
  readonly host: string;
  readonly port: number;
  readonly connections: readonly FakeConnection[];
  /** How many password messages ('p') reached it, over all connections. */
  passwordsReceived(): number;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

export async function startFakePostgres(options: { readonly ask: FakeAsk; readonly certificate?: CertificateAndKey }): Promise<FakePostgres> {
  const connections: FakeConnection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => undefined);
    void converse(raw, options, connections);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    connections,
    passwordsReceived: () => connections.reduce((sum, c) => sum + c.messagesAfterAsk.filter((type) => type === 'p').length, 0),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function converse(raw: net.Socket, options: { ask: FakeAsk; certificate?: CertificateAndKey }, connections: FakeConnection[]): Promise<void> {
  let socket: net.Socket = raw;
  let reader = packetReader(socket);
  let packet = await reader.untyped();
  let secured = false;
  while (packet !== undefined && (packet.code === SSL_REQUEST || packet.code === GSSENC_REQUEST)) {
    if (packet.code === SSL_REQUEST && options.certificate !== undefined) {
      reader.stop();
      socket.write('S');
      const secure = new tls.TLSSocket(socket, { isServer: true, key: options.certificate.keyPem, cert: options.certificate.certPem });
      secure.on('error', () => undefined);
      socket = secure;
      secured = true;
      reader = packetReader(socket);
    } else {
      socket.write('N');
    }
    packet = await reader.untyped();
  }
  if (packet === undefined) return;
  const connection: FakeConnection = { tls: secured, user: startupParameters(packet.body).user, messagesAfterAsk: [] };
  connections.push(connection);
  socket.write(askFor(options.ask));
  for (;;) {
    const message = await reader.typed();
    if (message === undefined) return;
    connection.messagesAfterAsk.push(message.type);
    // A password in hand is all the attacker wanted: hang up, as a failed login would.
    if (message.type === 'X' || (message.type === 'p' && (options.ask === 'cleartext' || options.ask === 'md5'))) {
      socket.end();
      return;
    }
  }
}

/** The authentication request ('R') an attacker's server sends; trust-then-silent logs the client in and goes quiet. */
function askFor(ask: FakeAsk): Buffer {
  const message = (type: string, body: Buffer) => Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
  switch (ask) {
    case 'cleartext':
      return message('R', int32(3));
    case 'md5':
      return message('R', Buffer.concat([int32(5), Buffer.from([1, 2, 3, 4])]));
    case 'scram-without-plus':
      return message('R', Buffer.concat([int32(10), Buffer.from('SCRAM-SHA-256\0\0')]));
    case 'trust-then-silent':
      // AuthenticationOk, BackendKeyData, ReadyForQuery (idle); then every query goes unanswered.
      return Buffer.concat([message('R', int32(0)), message('K', Buffer.concat([int32(4242), int32(1)])), message('Z', Buffer.from('I'))]);
  }
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function startupParameters(body: Buffer): Record<string, string> {
  const parts = body.subarray(4).toString('utf8').split('\0');
  const parameters: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i]) parameters[parts[i] as string] = parts[i + 1] as string;
  return parameters;
}

/** Reads length-prefixed packets: untyped (startup phase: int32 length, int32 code) and typed (byte, int32 length). */
function packetReader(socket: net.Socket) {
  let buffered = Buffer.alloc(0);
  let ended = false;
  let wake: (() => void) | undefined;
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    wake?.();
  };
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', onEnd);
  const take = async (size: number): Promise<Buffer | undefined> => {
    while (buffered.length < size) {
      if (ended) return undefined;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const out = buffered.subarray(0, size);
    buffered = buffered.subarray(size);
    return out;
  };
  return {
    async untyped(): Promise<{ code: number; body: Buffer } | undefined> {
      const length = await take(4);
      if (length === undefined) return undefined;
      const body = await take(length.readInt32BE() - 4);
      return body === undefined ? undefined : { code: body.readInt32BE(0), body };
    },
    async typed(): Promise<{ type: string; body: Buffer } | undefined> {
      const head = await take(5);
      if (head === undefined) return undefined;
      const body = await take(head.readInt32BE(1) - 4);
      return body === undefined ? undefined : { type: String.fromCharCode(head[0] as number), body };
    },
    /** Hands the socket over (to TLS): no more reading here. */
    stop(): void {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    },
  };
}

/**
 * A loopback TCP relay in front of a test server, so one scenario can see "its" database restart without
 * restarting the cluster every other test file shares. What a client sees of a restart is reproduced exactly:
 * every open session ends (the backends are terminated, which is what a fast shutdown does: FATAL 57P01), new
 * connections are refused (ECONNREFUSED, nothing listens), and later the server accepts logins again on the same
 * port. What the server keeps is real: committed work survives, open transactions are rolled back by PostgreSQL.
 * TLS passes through untouched, so certificate checks against 127.0.0.1 hold as they do without the relay.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RestartableProxy {
  /** The port clients use instead of the server's. */
  readonly port: number;
  /** Ends every relayed connection and stops listening: the server is "down". */
  down(): Promise<void>;
  /** Listens again on the same port: the server is "up". */
  up(): Promise<void>;
  /** Whether the server is "up". */
  isListening(): boolean;
  close(): Promise<void>;
}

export async function startRestartableProxy(target: { host: string; port: number }): Promise<RestartableProxy> {
  const sockets = new Set<net.Socket>();
  const relay = (client: net.Socket) => {
    const server = net.connect(target.port, target.host);
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(server).pipe(client);
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  };
  let listener = net.createServer(relay);
  const port = await listen(listener, 0);

  const down = async () => {
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    port,
    down,
    up: async () => {
      listener = net.createServer(relay);
      await listen(listener, port);
    },
    isListening: () => listener.listening,
    close: async () => {
      if (listener.listening) await down();
    },
  };
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

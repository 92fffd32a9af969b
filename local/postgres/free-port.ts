import { createServer } from 'node:net';
import { HarnessError } from './errors.js';

/**
 * Asks the kernel for a TCP port that is free on `host` right now. Another process can take it before the
 * caller binds it, so callers must retry with a new port when the bind fails.
 *
 * @example
 * const port = await findFreePort('127.0.0.1');
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        if (port > 0) resolve(port);
        else reject(new HarnessError('SERVER_START', `no free TCP port on ${host}`));
      });
    });
  });
}

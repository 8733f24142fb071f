// Free loopback ports for the sandbox servers. The servers bind 127.0.0.1 only.
import { createServer, type Server } from 'node:net';
import { SandboxError } from './errors.ts';

export const LOOPBACK = '127.0.0.1';

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * `count` distinct ports that are free on 127.0.0.1 right now (the OS picks them). Another process
 * could still take one before our server binds it: callers retry on a bind failure.
 */
export async function freePorts(count: number, host = LOOPBACK): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen(0, host));
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map(close));
  }
}

export async function freePort(host = LOOPBACK): Promise<number> {
  const [port] = await freePorts(1, host);
  return port;
}

/** True when nothing listens on host:port (we could bind it). */
export async function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  try {
    await close(await listen(port, host));
    return true;
  } catch {
    return false;
  }
}

/** Throws a SandboxError naming the port and the fix when host:port is taken (or invalid). */
export async function assertPortFree(port: number, what: string, host = LOOPBACK): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SandboxError(`The ${what} port ${port} is not a valid port; use 1..65535, or leave it unset so a free port is chosen.`);
  }
  if (!(await isPortFree(port, host))) {
    throw new SandboxError(
      `Port ${host}:${port} for the ${what} is already in use by another process; stop that process, choose another port, or leave the port unset so a free one is chosen.`,
    );
  }
}

/**
 * Whether a restart should take the port its data folder used before (clients, and queue URLs,
 * name it): only on the first attempt, and only when it is still free.
 */
export async function reusablePort(previous: number | undefined, attempt: number): Promise<boolean> {
  return attempt === 1 && previous !== undefined && (await isPortFree(previous));
}

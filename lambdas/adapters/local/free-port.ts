// A TCP port nothing listens on right now, for a local server to take: the port the system picks
// for a listener on port 0, closed again at once.
import net from 'node:net';

/** On `host` only (e.g. 127.0.0.1), or on every interface when none is given (so free on each). */
export async function freePort(host?: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (host === undefined) server.listen(0, resolve);
    else server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

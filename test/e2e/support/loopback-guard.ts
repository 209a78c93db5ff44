// Preloaded into a child process by tests (`node --import <this file> …`): every TCP connection
// (http, https, AWS SDK, IMDS) to a host beyond loopback is reported on stderr as a
// `NETWORK-ATTEMPT` line before it is tried, so a test can assert that a process stayed local.
// Hosts are checked as given, before any DNS lookup; Unix sockets are local by definition.
import net from 'node:net';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|\[::1\])$/;

type ConnectTarget = { host?: string; port?: number | string; path?: string };

/** Socket#connect's arguments, in each form Node itself and libraries call it with. */
function targetOf(args: unknown[]): ConnectTarget {
  const [first, second] = args;
  // net.connect() and http agents pass the normalised [options, callback] array.
  if (Array.isArray(first)) return targetOf(first);
  if (typeof first === 'object' && first !== null) return first as ConnectTarget;
  if (typeof first === 'string' && Number.isNaN(Number(first))) return { path: first };
  return { port: first as number, host: typeof second === 'string' ? second : undefined };
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const target = targetOf(args);
  if (!target.path && !LOOPBACK.test(target.host ?? 'localhost')) {
    process.stderr.write(`NETWORK-ATTEMPT ${target.host}:${target.port}\n`);
  }
  return (connect as (...rest: unknown[]) => net.Socket).apply(this, args);
} as typeof connect;

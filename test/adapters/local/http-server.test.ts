// The local front door's HTTP hygiene: slow requests end in 408, idle sockets do not stay open,
// connections are capped, an oversized body is answered 413 — and a browser at `GET /` gets the
// web console (the real build) instead of an EC2 error. A stub handler stands in for the API.
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalServer, type LocalServerOptions, type ProxyHandler } from '../../../lambdas/adapters/local/http-server.ts';
import { consoleAssets } from '../../../lambdas/adapters/local/console-bundle.ts';

const seen: { method: string; path: string; bodyBytes: number }[] = [];
const stubApi: ProxyHandler = async (event) => {
  seen.push({ method: event.httpMethod, path: event.path, bodyBytes: Buffer.from(event.body ?? '', 'base64').length });
  return { statusCode: 200, headers: { 'Content-Type': 'text/xml;charset=UTF-8' }, body: '<ok/>' };
};

let server: Server | undefined;
const sockets: Socket[] = [];

async function start(options: LocalServerOptions = {}): Promise<number> {
  server = createLocalServer(stubApi, {}, options);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  seen.length = 0;
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  }
});

interface Ending {
  /** Everything the server sent. */
  received: string;
  /** Milliseconds from connecting until the server closed the socket. */
  afterMs: number;
}

/** A raw socket: `start` is written at once, then `trickle` one byte per second until the server closes it. */
function rawConnection(port: number, start: string, trickle = false): Promise<Ending> {
  return new Promise((resolve, reject) => {
    const began = Date.now();
    let received = '';
    const socket = connect(port, '127.0.0.1', () => {
      if (start) socket.write(start);
      if (!trickle) return;
      const timer = setInterval(() => (socket.writable ? socket.write('a') : clearInterval(timer)), 1000);
      socket.once('close', () => clearInterval(timer));
    });
    sockets.push(socket);
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ received, afterMs: Date.now() - began }));
  });
}

describe('timeouts and connections', () => {
  it('a body that trickles in a byte a second is answered 408 with an EC2 error once requestTimeoutMs has passed', async () => {
    const port = await start({ requestTimeoutMs: 2000 });
    const headers = `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n`;
    const { received, afterMs } = await rawConnection(port, headers, true);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    const body = received.slice(received.indexOf('\r\n\r\n') + 4);
    expect(XMLValidator.validate(body)).toBe(true);
    expect(body).toContain('<Code>RequestTimeout</Code>');
    expect(afterMs).toBeGreaterThanOrEqual(1900);
    expect(afterMs).toBeLessThan(5000);
    expect(seen).toEqual([]);
  }, 15_000);

  it('headers that never finish are answered 408 too', async () => {
    const port = await start({ requestTimeoutMs: 2000, headersTimeoutMs: 1000 });
    const { received, afterMs } = await rawConnection(port, 'POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ', true);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeLessThan(4000);
  }, 15_000);

  it('an idle keep-alive socket is closed after keepAliveTimeoutMs', async () => {
    const port = await start({ keepAliveTimeoutMs: 500 });
    const { received, afterMs } = await rawConnection(port, `GET /health HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(afterMs).toBeLessThan(3000);
  }, 15_000);

  it('connections beyond maxConnections are closed as they arrive', async () => {
    const port = await start({ maxConnections: 2 });
    const open = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    sockets.push(...open);
    await Promise.all(open.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = await rawConnection(port, `GET /health HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(third.received).toBe('');
  });
});

describe('body size', () => {
  /** A request on a raw socket whose whole body is sent; the answer as text. */
  async function post(port: number, body: Buffer, declaredLength: number | 'chunked'): Promise<string> {
    const framing = declaredLength === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${declaredLength}`;
    const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n${framing}\r\nConnection: close\r\n\r\n`;
    const payload =
      declaredLength === 'chunked'
        ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')])
        : body;
    return new Promise((resolve, reject) => {
      let received = '';
      const socket = connect(port, '127.0.0.1', () => socket.end(Buffer.concat([Buffer.from(head), payload])));
      sockets.push(socket);
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => (received += chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
    });
  }

  it.each([
    ['declared in Content-Length', 10 * 1024 * 1024, 'declared'],
    ['sent chunked, without a length', 2 * 1024 * 1024, 'chunked'],
  ] as const)('a body over 1 MiB %s → 413 with an EC2 XML error, not a reset', async (_case, size, framing) => {
    const port = await start();
    const received = await post(port, Buffer.alloc(size, 'a'), framing === 'chunked' ? 'chunked' : size);
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    const body = received.slice(received.indexOf('\r\n\r\n') + 4);
    expect(XMLValidator.validate(body)).toBe(true);
    expect(body).toContain('<Code>RequestEntityTooLarge</Code>');
    expect(seen).toEqual([]);
  });

  it('a body of exactly 1 MiB reaches the API', async () => {
    const port = await start();
    const received = await post(port, Buffer.alloc(1024 * 1024, 'a'), 1024 * 1024);
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(seen).toEqual([{ method: 'POST', path: '/', bodyBytes: 1024 * 1024 }]);
  });
});

describe('GET / in a browser', () => {
  it('answers the console page, its script and its stylesheet with a strict CSP', async () => {
    const port = await start({ console: await consoleAssets() });
    const page = await fetch(`http://127.0.0.1:${port}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="console/console.js">');
    // No third-party origin anywhere: the page and its files name none.
    expect(html).not.toMatch(/https?:\/\//);
    const script = await fetch(`http://127.0.0.1:${port}/console/console.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('DescribeIpams');
    const styles = await fetch(`http://127.0.0.1:${port}/console/console.css`);
    expect(styles.headers.get('content-type')).toMatch(/^text\/css/);
    expect(seen).toEqual([]);
  });

  it('without the console, GET / goes to the API as before', async () => {
    const port = await start();
    await fetch(`http://127.0.0.1:${port}/`);
    expect(seen.map(({ method, path }) => `${method} ${path}`)).toEqual(['GET /']);
  });

  it('a GET with a query string, a signed GET, POST / and unknown files still go to the API', async () => {
    const port = await start({ console: await consoleAssets() });
    await fetch(`http://127.0.0.1:${port}/?Action=DescribeIpams&Version=2016-11-15`);
    await fetch(`http://127.0.0.1:${port}/`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x' } });
    await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'Action=DescribeIpams' });
    await fetch(`http://127.0.0.1:${port}/console/other.js`);
    expect(seen.map(({ method, path }) => `${method} ${path}`)).toEqual(['GET /', 'GET /', 'POST /', 'GET /console/other.js']);
  });
});

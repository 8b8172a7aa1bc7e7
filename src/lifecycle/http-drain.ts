import type { Server, IncomingMessage, ServerResponse } from 'node:http';
import { Server as NetServer, Socket } from 'node:net';

/** A keep-alive connection idle this long while draining is closed: its client is not mid-request. */
const IDLE_CLOSE_MS = 500;
const CHECK_MS = 50;

interface Connection {
  inFlight: Set<ServerResponse>;
  idleSince: number;
}

/**
 * Graceful HTTP shutdown without reset connections. Node's own `server.close()` destroys idle
 * keep-alive connections at once, and a client that was just sending its next request on one
 * gets ECONNRESET. Instead, `drain()`:
 *  - stops accepting connections (new ones are refused: nothing was sent on them);
 *  - answers every request in flight or still arriving on an open connection with
 *    `Connection: close` (unless its headers are already out), so its client closes the connection
 *    after reading the response;
 *  - closes a connection once it has been idle for IDLE_CLOSE_MS;
 *  - settles when no connection is left, or after `timeoutMs` (then destroys what is left).
 * Track the server from the start (`new HttpDrain(server)`) so that every connection is known.
 */
export class HttpDrain {
  private readonly connections = new Map<Socket, Connection>();
  private draining = false;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.connections.set(socket, { inFlight: new Set(), idleSince: Date.now() });
      socket.once('close', () => this.connections.delete(socket));
    });
    // Before the application's own listener, so the header is set before anything is written.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const connection = this.connections.get(req.socket);
      if (this.draining) res.setHeader('Connection', 'close');
      if (!connection) return;
      connection.inFlight.add(res);
      res.once('close', () => {
        connection.inFlight.delete(res);
        connection.idleSince = Date.now();
      });
    });
  }

  /** Open connections (for tests and logs). */
  get openConnections(): number {
    return this.connections.size;
  }

  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    // net.Server's close: stop listening, but leave the open connections to us.
    NetServer.prototype.close.call(this.server);
    for (const { inFlight } of this.connections.values()) {
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    }
    const deadline = Date.now() + timeoutMs;
    while (this.connections.size > 0 && Date.now() < deadline) {
      const now = Date.now();
      for (const [socket, connection] of this.connections) {
        if (connection.inFlight.size === 0 && now - connection.idleSince >= IDLE_CLOSE_MS) socket.end();
      }
      await new Promise((resolve) => setTimeout(resolve, CHECK_MS));
    }
    for (const socket of this.connections.keys()) socket.destroy();
    this.connections.clear();
  }
}

// Pushes one SET to a receiver (RFC 8935) without letting the endpoint reach what it must not:
// every address a host name resolves to is checked at connection time and the connection is
// pinned to a checked one (no DNS rebinding between check and connect); redirects are never followed.
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import {
  addressProblem,
  checkReceiverUrlForm,
  hostAllowed,
  parseReceiverAllowlist,
  ReceiverAllowlist,
} from './receiver-url';

/** Bytes of a receiver's answer kept; the rest is discarded (an error description needs no more). */
export const RECEIVER_BODY_LIMIT = 64 * 1024;

export interface ReceiverResponse {
  status: number;
  /** The response body as text, at most RECEIVER_BODY_LIMIT bytes. */
  body: string;
}

export interface ReceiverPostOptions {
  /** Whole exchange: connect, send, read the answer. */
  timeoutMs: number;
  headers?: Record<string, string>;
}

/** The SET was not delivered for a reason other than the receiver's status (refused address, timeout, redirect...). */
export class ReceiverError extends Error {
  constructor(
    message: string,
    readonly code: 'ADDRESS' | 'TIMEOUT' | 'REDIRECT' | 'NETWORK',
  ) {
    super(message);
    this.name = 'ReceiverError';
  }
}

@Injectable()
export class ReceiverClient implements OnModuleDestroy {
  private readonly allow: ReceiverAllowlist;
  private readonly agents = new Map<string, http.Agent>();
  private readonly lookup: LookupFunction;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.allow = parseReceiverAllowlist(config.eventReceiverAllowlist);
    this.lookup = checkedLookup(this.allow);
  }

  onModuleDestroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  /** POSTs `setToken` as application/secevent+jwt; resolves with any non-3xx status, rejects with ReceiverError otherwise. */
  post(endpointUrl: string, setToken: string, options: ReceiverPostOptions): Promise<ReceiverResponse> {
    let url: URL;
    try {
      url = checkReceiverUrlForm(endpointUrl, this.allow);
    } catch (error) {
      return Promise.reject(new ReceiverError((error as Error).message, 'ADDRESS'));
    }
    const secure = url.protocol === 'https:';
    const body = Buffer.from(setToken, 'utf8');
    return new Promise<ReceiverResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: ReceiverError | null, response?: ReceiverResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(response!);
      };
      const request = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: this.agent(url),
          lookup: this.lookup,
          headers: {
            ...options.headers,
            'Content-Type': 'application/secevent+jwt',
            Accept: 'application/json',
            'Content-Length': String(body.length),
          },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 300 && status < 400) {
            response.resume();
            const location = response.headers.location ? ` to ${response.headers.location}` : '';
            finish(
              new ReceiverError(
                `receiver answered ${status} (redirect${location}); redirects are not followed`,
                'REDIRECT',
              ),
            );
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            if (size >= RECEIVER_BODY_LIMIT) return;
            const room = RECEIVER_BODY_LIMIT - size;
            const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
            chunks.push(kept);
            size += kept.length;
            if (size >= RECEIVER_BODY_LIMIT) {
              // Enough kept; stop reading a body that may never end, and let this socket go.
              finish(null, { status, body: Buffer.concat(chunks).toString('utf8') });
              response.destroy();
            }
          });
          response.on('end', () => finish(null, { status, body: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', (error) =>
            finish(new ReceiverError(`receiver answer broke off: ${error.message}`, 'NETWORK')),
          );
          response.on('aborted', () => finish(new ReceiverError('receiver answer broke off', 'NETWORK')));
        },
      );
      const timer = setTimeout(() => {
        finish(new ReceiverError(`receiver did not answer within ${options.timeoutMs} ms`, 'TIMEOUT'));
        request.destroy();
      }, options.timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof ReceiverError) finish(error);
        else finish(new ReceiverError(`could not reach the receiver: ${error.code ?? error.message}`, 'NETWORK'));
      });
      request.end(body);
    });
  }

  /** One keep-alive agent per origin, so a stream's deliveries reuse their connections. */
  private agent(url: URL): http.Agent {
    let agent = this.agents.get(url.origin);
    if (!agent) {
      const options = { keepAlive: true, maxSockets: 32, maxFreeSockets: 8, timeout: 60_000 };
      agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
      this.agents.set(url.origin, agent);
    }
    return agent;
  }
}

/**
 * A `lookup` for http(s).request: resolves every address of the host, refuses the connection when
 * ANY of them is not permitted (a host name on the allow-list permits all of its addresses), and hands the socket the first checked address (pinned).
 */
export function checkedLookup(allow: ReceiverAllowlist, resolveAll = defaultResolveAll): LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    const family = typeof options === 'object' && options ? options.family : undefined;
    resolveAll(hostname)
      .then((addresses) => {
        const usable = addresses.filter((entry) => !family || entry.family === family);
        if (usable.length === 0) throw Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' });
        const named = hostAllowed(hostname, allow);
        for (const { address } of named ? [] : addresses) {
          const problem = isIP(address) ? addressProblem(address, allow) : `${address} is not an IP address`;
          if (problem) throw new ReceiverError(`refused to connect to ${hostname}: ${problem}`, 'ADDRESS');
        }
        const pinned = usable[0];
        if (typeof options === 'object' && options?.all) callback(null, [pinned]);
        else callback(null, pinned.address, pinned.family);
      })
      .catch((error: Error) => callback(error));
  }) as LookupFunction;
}

function defaultResolveAll(hostname: string): Promise<Array<{ address: string; family: number }>> {
  return dns.promises.lookup(hostname, { all: true, verbatim: true });
}

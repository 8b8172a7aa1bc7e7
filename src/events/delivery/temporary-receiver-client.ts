// TEMPORARY (H4): stands in for H3's src/events/receivers/receiver-client.ts until that is merged.
// Same class names and post() signature; the merger deletes this file and changes the imports of
// ReceiverClient / ReceiverError to '../receivers/receiver-client'. It has NO SSRF checks.
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import * as http from 'node:http';
import * as https from 'node:https';

export interface ReceiverResponse {
  status: number;
  body: string;
}

export interface ReceiverPostOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
}

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
  private readonly agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 32 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 32 }),
  };

  onModuleDestroy(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  post(endpointUrl: string, setToken: string, options: ReceiverPostOptions): Promise<ReceiverResponse> {
    const url = new URL(endpointUrl);
    const secure = url.protocol === 'https:';
    const body = Buffer.from(setToken, 'utf8');
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: secure ? this.agents.https : this.agents.http,
          headers: {
            ...options.headers,
            'Content-Type': 'application/secevent+jwt',
            Accept: 'application/json',
            'Content-Length': String(body.length),
          },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text = (text + chunk).slice(0, 65536)));
          response.on('end', () => {
            clearTimeout(timer);
            if (status >= 300 && status < 400)
              reject(new ReceiverError(`receiver answered ${status} (redirects are not followed)`, 'REDIRECT'));
            else resolve({ status, body: text });
          });
          response.on('error', (error) =>
            reject(new ReceiverError(`receiver answer broke off: ${error.message}`, 'NETWORK')),
          );
        },
      );
      const timer = setTimeout(() => {
        reject(new ReceiverError(`receiver did not answer within ${options.timeoutMs} ms`, 'TIMEOUT'));
        request.destroy();
      }, options.timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new ReceiverError(`could not reach the receiver: ${error.code ?? error.message}`, 'NETWORK'));
      });
      request.end(body);
    });
  }
}

import { ApiFailure, errorText, failureMessage } from './api';
import { SseEvent, SseParser } from './sse';

export type TailState =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'retrying'; reason: string; inMs: number }
  | { kind: 'failed'; reason: string };

export interface TailOptions {
  /** The stream's URL, asked again at each (re)connection. */
  url(): string;
  headers(): Record<string, string>;
  onEvent(event: SseEvent): void;
  onState(state: TailState): void;
  /** The stream is open; `again` after a break (rows logged in between were not sent). */
  onConnected(again: boolean): void;
  onUnauthorized(): void;
}

/** The server says ": keepalive" every 15 s: a connection silent for longer than this is dead. */
const SILENCE_MS = 45_000;
const MAX_DELAY_MS = 30_000;

/**
 * Reads the live tail with fetch() and a ReadableStream, so the Authorization header goes with it,
 * and reconnects with exponential backoff when the stream breaks. Returns the function that stops it.
 */
export function startTail(options: TailOptions): () => void {
  const stop = new AbortController();
  void run(options, stop.signal);
  return () => stop.abort();
}

async function run(options: TailOptions, stopped: AbortSignal): Promise<void> {
  let attempt = 0;
  let connections = 0;
  let lastEventId = '';
  let retryMs: number | undefined;
  while (!stopped.aborted) {
    options.onState({ kind: 'connecting' });
    const connection = new AbortController();
    const abort = () => connection.abort();
    stopped.addEventListener('abort', abort);
    let watchdog = window.setTimeout(abort, SILENCE_MS);
    let reason = 'the stream ended';
    try {
      const headers = { ...options.headers(), Accept: 'text/event-stream' };
      const res = await fetch(options.url(), {
        headers: lastEventId ? { ...headers, 'Last-Event-ID': lastEventId } : headers,
        cache: 'no-store',
        signal: connection.signal,
      });
      if (res.status === 401) {
        options.onUnauthorized();
        return;
      }
      if (!res.ok || !res.body) throw new ApiFailure(res.status, await failureMessage(res));
      options.onState({ kind: 'live' });
      options.onConnected(connections++ > 0);
      const parser = new SseParser();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        window.clearTimeout(watchdog);
        watchdog = window.setTimeout(abort, SILENCE_MS);
        // Data flows: the next break starts the backoff afresh.
        attempt = 0;
        for (const event of parser.push(value)) options.onEvent(event);
        lastEventId = parser.lastEventId || lastEventId;
        retryMs = parser.retry ?? retryMs;
      }
    } catch (error) {
      if (stopped.aborted) return;
      // A refused request (a bad filter) is not cured by retrying; an overloaded or restarting server is.
      if (error instanceof ApiFailure && error.status >= 400 && error.status < 500 && error.status !== 429) {
        options.onState({ kind: 'failed', reason: error.message });
        return;
      }
      reason = connection.signal.aborted ? 'no data for 45 s' : errorText(error);
    } finally {
      window.clearTimeout(watchdog);
      stopped.removeEventListener('abort', abort);
    }
    if (stopped.aborted) return;
    const inMs = Math.max(retryMs ?? 0, backoff(attempt++));
    options.onState({ kind: 'retrying', reason, inMs });
    await sleep(inMs, stopped);
  }
}

/** 1 s, 2 s, 4 s ... up to 30 s, each ±25 % so that many pages do not reconnect in step. */
export function backoff(attempt: number): number {
  return Math.round(Math.min(MAX_DELAY_MS, 1000 * 2 ** attempt) * (0.75 + Math.random() * 0.5));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = window.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      window.clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

// The part of autocannon's programmatic API the benchmarks use (the package ships no types; the
// DefinitelyTyped ones lag behind and would be one more dependency for four fields).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      /** Called before each request is sent; answers the request to send. */
      setupRequest?: (request: Request, context: Record<string, unknown>) => Request;
      /** Called with each answer, in full, and the context its request was set up with. */
      onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
    }

    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      pipelining?: number;
      /** Seconds without an answer before a request counts as a timeout. */
      timeout?: number;
      method?: string;
      headers?: Record<string, string>;
      requests?: Request[];
    }

    interface Result {
      errors: number;
      timeouts: number;
      resets: number;
      non2xx: number;
      duration: number;
      statusCodeStats: Record<string, { count: number }>;
    }

    interface Instance extends EventEmitter {
      stop(): void;
    }
  }

  function autocannon(
    options: autocannon.Options,
    done: (error: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance;

  export = autocannon;
}

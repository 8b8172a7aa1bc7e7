// The part of newman's programmatic API the conformance runner uses (newman ships no types).
declare module 'newman' {
  import { EventEmitter } from 'node:events';

  export interface NewmanVariable {
    key: string;
    value: string;
    type?: string;
    enabled?: boolean;
  }

  export interface NewmanRunOptions {
    /** A collection object (Postman v2.x JSON) or a path. */
    collection: object | string;
    environment?: { name?: string; values: NewmanVariable[] } | string;
    globals?: { name?: string; values: NewmanVariable[] } | string;
    folder?: string | string[];
    reporters?: string | string[];
    timeout?: number;
    timeoutRequest?: number;
    timeoutScript?: number;
    bail?: boolean | string[];
  }

  export interface NewmanError {
    name: string;
    message: string;
  }

  export interface NewmanExecution {
    id?: string;
    item: { id: string; name: string };
    response?: { code: number; status?: string; responseTime?: number; stream?: Buffer };
    requestError?: NewmanError;
    assertions?: { assertion: string; skipped: boolean; error?: NewmanError }[];
    prerequestScript?: { error: NewmanError }[];
    testScript?: { error: NewmanError }[];
  }

  export interface NewmanRunSummary {
    error?: NewmanError;
    run: {
      stats: Record<
        | 'iterations'
        | 'items'
        | 'scripts'
        | 'prerequests'
        | 'requests'
        | 'tests'
        | 'assertions'
        | 'testScripts'
        | 'prerequestScripts',
        { total: number; failed: number; pending: number }
      >;
      executions: NewmanExecution[];
      failures: { error: NewmanError; at: string; source?: { id: string; name: string } }[];
    };
  }

  export function run(
    options: NewmanRunOptions,
    callback?: (err: Error | null, summary: NewmanRunSummary) => void,
  ): EventEmitter;
}

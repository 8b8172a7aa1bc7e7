import { LoggerService, LogLevel } from '@nestjs/common';
import { currentLogContext } from './log-context';

/** LOG_LEVEL's values, least to most verbose (`info` is Nest's `log`). */
export const LOG_LEVEL_NAMES = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];
const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The levels written at LOG_LEVEL `name`: it and every level above it. */
export function levelsFrom(name: LogLevelName): LogLevel[] {
  return ORDER.slice(0, LOG_LEVEL_NAMES.indexOf(name) + 1);
}

/**
 * Nest's start-up chatter (a line per module and per route, about a hundred) is debug here:
 * Nest writes it at `log`, which would put the route table in every start at the default level.
 */
const CHATTY_CONTEXTS = new Set(['RouterExplorer', 'RoutesResolver', 'InstanceLoader']);

/**
 * One JSON object a line on stdout (errors on stderr), for log collectors: `time`, `level`
 * (`info` for Nest's `log`), `context`, `message`, the fields of an object message, and the
 * request's `correlationId` (a job's `jobId`, `tenantId`) when written on behalf of one (log-context.ts).
 */
export class JsonLogger implements LoggerService {
  /** `out` receives each line (tests read them; the default writes stdout, or stderr for errors). */
  constructor(
    private readonly levels: LogLevel[] = levelsFrom('info'),
    private readonly out: (line: string, level: LogLevel) => void = writeStd,
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }
  setLogLevels(levels: LogLevel[]): void {
    this.levels.splice(0, this.levels.length, ...levels);
  }

  private write(wanted: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context last, and for errors the stack before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const level = wanted === 'log' && context !== undefined && CHATTY_CONTEXTS.has(context) ? 'debug' : wanted;
    if (!this.levels.includes(level)) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level: level === 'log' ? 'info' : level };
    if (context !== undefined) entry.context = context;
    const scope = currentLogContext();
    if (scope) Object.assign(entry, scope);
    if (message instanceof Error) {
      entry.message = message.message;
      entry.stack = message.stack;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(entry, message);
    } else {
      entry.message = String(message);
    }
    if (typeof rest[0] === 'string' && rest[0].includes('\n')) entry.stack = rest[0];
    this.out(JSON.stringify(entry) + '\n', level);
  }
}

function writeStd(line: string, level: LogLevel): void {
  (level === 'error' || level === 'fatal' ? process.stderr : process.stdout).write(line);
}

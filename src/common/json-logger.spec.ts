import { JsonLogger, levelsFrom } from './json-logger';
import { withLogContext } from './log-context';

/** What the logger wrote while `write` ran, one parsed object a line. */
function captured(write: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    lines.push(String(chunk));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    write();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('JsonLogger', () => {
  it('writes the levels of LOG_LEVEL and above', () => {
    expect(levelsFrom('fatal')).toEqual(['fatal']);
    expect(levelsFrom('info')).toEqual(['fatal', 'error', 'warn', 'log']);
    expect(levelsFrom('verbose')).toHaveLength(6);
    const lines = captured(() => {
      const logger = new JsonLogger(levelsFrom('warn'));
      logger.log('hidden', 'Main');
      logger.warn('shown', 'Main');
    });
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', message: 'shown', context: 'Main' })]);
  });

  it("writes Nest's route table and module lines at debug, other log lines as info", () => {
    const write = (logger: JsonLogger): void => {
      logger.log('Mapped {/health, GET} route', 'RouterExplorer');
      logger.log('AppModule dependencies initialized', 'InstanceLoader');
      logger.log('Listening on port 3000', 'Main');
    };
    expect(captured(() => write(new JsonLogger(levelsFrom('info'))))).toEqual([
      expect.objectContaining({ level: 'info', message: 'Listening on port 3000' }),
    ]);
    expect(captured(() => write(new JsonLogger(levelsFrom('debug')))).map((line) => line.level)).toEqual([
      'debug',
      'debug',
      'info',
    ]);
  });

  it('adds the request or job it runs for, and the fields of an object message', () => {
    const logger = new JsonLogger();
    const [inside, outside] = captured(() => {
      withLogContext({ correlationId: 'req-1', jobId: 'job-1', tenantId: 'acme' }, () =>
        logger.log({ message: 'Job job-1 started', jobType: 'commit' }, 'Jobs'),
      );
      logger.log('no request', 'Main');
    });
    expect(inside).toMatchObject({
      level: 'info',
      context: 'Jobs',
      message: 'Job job-1 started',
      jobType: 'commit',
      correlationId: 'req-1',
      jobId: 'job-1',
      tenantId: 'acme',
    });
    expect(outside).not.toHaveProperty('correlationId');
  });
});

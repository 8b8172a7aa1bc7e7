// A benchmark leaves nothing behind: its scratch database is dropped and its servers are stopped
// whether the run ends, fails or is interrupted. A finally block covers the first two; Ctrl-C and
// SIGTERM would end the process without running it, so on those signals the cleanups still pending
// run first (innermost first), then the process exits.
const pending: (() => Promise<void>)[] = [];
let listening = false;
let interrupted = false;

function onSignal(signal: NodeJS.Signals): void {
  // A second Ctrl-C while cleaning up must not cut the cleanup short.
  if (interrupted) return;
  interrupted = true;
  console.error(`\n${signal}: cleaning up before exiting`);
  void (async () => {
    for (const cleanUp of [...pending].reverse()) {
      await cleanUp().catch((error: unknown) => console.error(error));
    }
    process.exit(130);
  })();
}

/** Runs `work`, then `cleanUp` (once), also when `work` throws or the process gets SIGINT or SIGTERM. */
export async function withCleanup<T>(cleanUp: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  if (!listening) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    listening = true;
  }
  let done: Promise<void> | undefined;
  const once = () => (done ??= cleanUp());
  pending.push(once);
  try {
    return await work();
  } finally {
    pending.splice(pending.indexOf(once), 1);
    await once();
  }
}

import perfHooks, { type IntervalHistogram } from 'node:perf_hooks';

/**
 * Runs `start` (prom-client's collectDefaultMetrics) and returns the event-loop delay monitors it
 * enabled. prom-client keeps its monitor to itself and never disables it: each app that turned
 * metrics on would leave one sampling the loop after it closed (tests start many apps in one process).
 */
export function trackEventLoopMonitors(start: () => void): IntervalHistogram[] {
  const monitors: IntervalHistogram[] = [];
  const original = perfHooks.monitorEventLoopDelay;
  perfHooks.monitorEventLoopDelay = (options) => {
    const monitor = original(options);
    monitors.push(monitor);
    return monitor;
  };
  try {
    start();
  } finally {
    perfHooks.monitorEventLoopDelay = original;
  }
  return monitors;
}

export function stopEventLoopMonitors(monitors: readonly IntervalHistogram[]): void {
  for (const monitor of monitors) monitor.disable();
}

import type { ViewProps } from './common';

/** Placeholder: see /work/briefs/console-design.md. */
export function TenantsView(_props: ViewProps) {
  return <p class="muted">Not built yet.</p>;
}

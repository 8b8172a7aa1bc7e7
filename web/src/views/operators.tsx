import type { ViewProps } from './common';

/** Placeholder: see /work/briefs/console-design.md. */
export function OperatorsView(_props: ViewProps) {
  return <p class="muted">Not built yet.</p>;
}

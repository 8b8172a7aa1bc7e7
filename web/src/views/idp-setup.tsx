import type { Api } from '../api';

/** Placeholder: the identity-provider panel of a tenant (see /work/briefs/console-design.md). */
export function IdpSetupPanel(_props: { api: Api; tenantId: string }) {
  return <p class="muted">Not built yet.</p>;
}

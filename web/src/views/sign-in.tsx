import { useEffect, useRef, useState } from 'preact/hooks';
import { checkToken } from '../api';
import { ErrorLine } from './common';

/** The admin token is checked against the API, then kept for this tab only (sessionStorage). */
export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  // After a sign-out or a refused token, the keyboard is where the next token goes.
  useEffect(() => field.current?.focus(), []);

  async function submit(event: Event) {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) return;
    setBusy(true);
    const problem = await checkToken(candidate);
    setBusy(false);
    if (problem) {
      setError(problem);
      return;
    }
    setToken('');
    onSignedIn(candidate);
  }

  return (
    <main class="sign-in">
      <form class="card" onSubmit={(event) => void submit(event)}>
        <h1>Identity provisioning hub</h1>
        <p class="muted">
          Operators sign in with an admin token: ADMIN_TOKEN, or an issued ADMIN or TENANT_ADMIN credential.
        </p>
        <label class="field">
          <span>Admin token</span>
          <input
            id="token"
            ref={field}
            name="token"
            type="password"
            autocomplete="off"
            spellcheck={false}
            required
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
          />
        </label>
        <ErrorLine error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p class="muted small">The token stays in this tab only and is sent in the Authorization header.</p>
      </form>
    </main>
  );
}

import { useState } from 'preact/hooks';
import { auth, getJson } from '../api';

/** The hub has `admin.token` set: ask for it (kept in this tab's sessionStorage only). */
export function Login({ onDone }: { onDone: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    auth.set(token.trim());
    try {
      await getJson('/console/api/session');
      onDone();
    } catch (err) {
      auth.clear();
      setError((err as Error).message);
    }
  };
  return (
    <main class="login" id="main">
      <h1>triggerhub console</h1>
      <form onSubmit={submit}>
        <p>This hub has an admin token (<code>admin.token</code>). Enter it to continue.</p>
        <label for="token">Admin token</label>
        <input id="token" type="password" autocomplete="current-password" value={token} autofocus required
          onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        {error ? <p class="hint bad" role="alert">{error}</p> : null}
        <button type="submit" class="primary">Sign in</button>
      </form>
    </main>
  );
}

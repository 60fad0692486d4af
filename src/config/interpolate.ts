import { setOwn } from '../own.js';

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed config. A string that is
 * one placeholder and resolves to a number (written as JavaScript writes it) or boolean becomes that number or boolean, so
 * `port: ${PORT}` validates as a number. `$${` escapes a literal `${`. Every unset variable
 * without a default is added to `missing` (with its path), so all of them are reported at once.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, missing: string[], at = ''): unknown {
  if (typeof value === 'string') return interpolateString(value, env, missing, at);
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, missing, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // setOwn: a key named __proto__ stays a key (an assignment would set the prototype and lose it).
    for (const [key, child] of Object.entries(value)) setOwn(out, key, interpolateEnv(child, env, missing, at ? `${at}.${key}` : key));
    return out;
  }
  return value;
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, missing: string[], at: string): unknown {
  if (!text.includes('${')) return text;
  const escaped = text.split('$${');
  const replaced = escaped.map((part) => part.replace(PLACEHOLDER, (_match, name: string, fallback?: string) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    missing.push(`${at || '(root)'}: environment variable ${name} is not set (use \${${name}:-default} for a default)`);
    return '';
  })).join('${');
  if (escaped.length === 1 && WHOLE.test(text)) {
    // Only a number that reads back as the same text: `007`, `1.50` and a 12-digit `000000000000`
    // account id stay strings (an environment value would otherwise reach the handler as `7`).
    if (/^-?\d+(\.\d+)?$/.test(replaced) && String(Number(replaced)) === replaced) return Number(replaced);
    if (replaced === 'true' || replaced === 'false') return replaced === 'true';
  }
  return replaced;
}

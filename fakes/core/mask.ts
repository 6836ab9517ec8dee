/**
 * Secrets out of the journal. Bodies are masked in place: everything but a secret's value stays
 * as it was sent (same encoding, spacing and key order), whatever the content type claims.
 */

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-auth-token']);

/**
 * Keys whose values are secrets, in any body and at any depth: passwords (`password`,
 * `auth_password`, `oldPassword`), secrets (`client_secret`, `oldSecret`), service `credentials`,
 * tokens (`access_token`, `refresh_token`, `id_token`, `token`), one-time codes and private keys.
 */
const SECRET_KEY = /(password|secret|^credentials|^passcode|^(client_)?assertion|(^|_)token|private_key)$/i;

/** Cheap pre-check: most bodies hold none of these words, and parsing them all cost most of the journal's time. */
const MAYBE_SECRET = /password|secret|credentials|passcode|assertion|token|private_key/i;

const MASK = '***';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function maskHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [k, v] of entries) {
    const key = k.toLowerCase();
    if (SECRET_HEADERS.has(key)) {
      const scheme = /^(\w+)\s/.exec(v)?.[1];
      out[key] = scheme ? `${scheme} ${MASK}` : MASK;
    } else out[key] = v;
  }
  return out;
}

/**
 * Masks the values of secret keys in a JSON, form or YAML body. The format is read from the body
 * itself first (a JSON body sent with a form content type, as ODB sends some, stays JSON), then
 * from the content type; other bodies are returned as they are.
 */
export function maskBody(body: string | null, contentType: string | undefined): string | null {
  if (body == null || body === '' || !MAYBE_SECRET.test(body)) return body;
  const ct = (contentType ?? '').toLowerCase();
  if (/^\s*[[{]/.test(body)) {
    const masked = maskJson(body);
    if (masked !== undefined) return masked;
  }
  if (ct.includes('yaml')) return maskYaml(body);
  if (ct === '' || ct.includes('x-www-form-urlencoded')) return maskForm(body);
  return body;
}

/** `a=1&password=x` → `a=1&password=***`, every other pair byte for byte. */
function maskForm(body: string): string {
  return body
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const rawKey = pair.slice(0, eq);
      let key = rawKey;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        /* a malformed escape: compare the raw key */
      }
      return isSecretKey(key) ? `${rawKey}=${MASK}` : pair;
    })
    .join('&');
}

/**
 * Replaces the value of every secret key (string, number, object or array; `null` is left) with
 * `"***"` in the JSON text; undefined when the text is not JSON.
 */
function maskJson(text: string): string | undefined {
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  // The text is valid JSON from here on, so the scanner can trust its shape.
  const spans: Array<[number, number]> = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const readString = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const readValue = (): void => {
    skipSpace();
    const ch = text[i];
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      i++;
      skipSpace();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (ch === '{') {
          const key = readString();
          skipSpace();
          i++; // ':'
          skipSpace();
          const start = i;
          readValue();
          if (isSecretKey(key) && !text.startsWith('null', start)) spans.push([start, i]);
        } else readValue();
        skipSpace();
        if (text[i++] === close) return;
      }
    }
    if (ch === '"') readString();
    else while (i < text.length && !',}] \t\n\r'.includes(text[i])) i++;
  };
  readValue();
  if (spans.length === 0) return text;
  // A secret inside a secret (credentials.password) is covered by the outer span.
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) continue;
    out += `${text.slice(at, start)}"${MASK}"`;
    at = end;
  }
  return out + text.slice(at);
}

/**
 * `password: x` → `password: '***'` line by line (a manifest's properties), including the
 * indented lines of a block scalar (`private_key: |`); everything else as sent.
 */
function maskYaml(text: string): string {
  const lines = text.split('\n');
  let blockIndent = -1;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0) {
      if (line.trim() === '' || indent > blockIndent) {
        if (line.trim() !== '') lines[n] = `${line.slice(0, indent)}${MASK}`;
        continue;
      }
      blockIndent = -1;
    }
    const m = /^(\s*(?:-\s+)?)(["']?)([\w.-]+)\2(\s*:)(\s+)(.*)$/.exec(line);
    if (!m || !isSecretKey(m[3])) continue;
    const value = m[6].trim();
    if (value === '' || value === 'null' || value === '~') continue;
    if (/^[|>]/.test(value)) {
      blockIndent = indent;
      continue;
    }
    lines[n] = `${m[1]}${m[2]}${m[3]}${m[2]}${m[4]}${m[5]}'${MASK}'`;
  }
  return lines.join('\n');
}

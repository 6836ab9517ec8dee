/**
 * SCIM 1.1 filter expressions as UAA accepts them on `/Users`, `/Groups` and `/oauth/clients`:
 * `eq`, `co`, `sw`, `pr`, `gt`, `ge`, `lt`, `le`, `and`, `or`, parentheses. Attribute names and
 * string comparisons are case-insensitive (UAA lower-cases both sides in SQL).
 */
export type FilterNode =
  | { op: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { op: 'pr'; attr: string }
  | { op: 'eq' | 'co' | 'sw' | 'gt' | 'ge' | 'lt' | 'le'; attr: string; value: string | number | boolean | null };

export class ScimFilterError extends Error {}

type Token = { kind: 'word'; text: string } | { kind: 'string'; text: string } | { kind: 'lparen' } | { kind: 'rparen' };

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(') {
      out.push({ kind: 'lparen' });
      i++;
    } else if (ch === ')') {
      out.push({ kind: 'rparen' });
      i++;
    } else if (ch === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new ScimFilterError('unterminated string');
        const c = input[i];
        if (c === '\\' && i + 1 < input.length) {
          s += input[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          s += c;
          i++;
        }
      }
      out.push({ kind: 'string', text: s });
    } else {
      let s = '';
      while (i < input.length && !/[\s()"]/.test(input[i])) s += input[i++];
      out.push({ kind: 'word', text: s });
    }
  }
  return out;
}

const COMPARATORS = new Set(['eq', 'co', 'sw', 'gt', 'ge', 'lt', 'le']);

export function parseScimFilter(input: string): FilterNode {
  const tokens = tokenize(input);
  let pos = 0;
  const peekWord = (): string | undefined => {
    const t = tokens[pos];
    return t?.kind === 'word' ? t.text.toLowerCase() : undefined;
  };

  const expr = (): FilterNode => {
    let left = term();
    while (peekWord() === 'or') {
      pos++;
      left = { op: 'or', left, right: term() };
    }
    return left;
  };
  const term = (): FilterNode => {
    let left = factor();
    while (peekWord() === 'and') {
      pos++;
      left = { op: 'and', left, right: factor() };
    }
    return left;
  };
  const factor = (): FilterNode => {
    const t = tokens[pos];
    if (!t) throw new ScimFilterError('unexpected end of filter');
    if (t.kind === 'lparen') {
      pos++;
      const inner = expr();
      if (tokens[pos]?.kind !== 'rparen') throw new ScimFilterError('missing )');
      pos++;
      return inner;
    }
    if (t.kind !== 'word' || !/^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(t.text)) throw new ScimFilterError('expected an attribute name');
    const attr = t.text;
    pos++;
    const opTok = tokens[pos];
    if (opTok?.kind !== 'word') throw new ScimFilterError('expected an operator');
    const op = opTok.text.toLowerCase();
    pos++;
    if (op === 'pr') return { op: 'pr', attr };
    if (!COMPARATORS.has(op)) throw new ScimFilterError(`unknown operator ${op}`);
    const v = tokens[pos];
    if (!v) throw new ScimFilterError('expected a value');
    pos++;
    let value: string | number | boolean | null;
    if (v.kind === 'string') value = v.text;
    else if (v.kind === 'word') {
      const w = v.text.toLowerCase();
      if (w === 'true' || w === 'false') value = w === 'true';
      else if (w === 'null') value = null;
      else if (/^-?\d+(\.\d+)?$/.test(w)) value = Number(w);
      else throw new ScimFilterError('values must be quoted');
    } else throw new ScimFilterError('expected a value');
    if ((op === 'co' || op === 'sw') && typeof value !== 'string') throw new ScimFilterError(`${op} needs a string`);
    return { op: op as 'eq', attr, value };
  };

  if (tokens.length === 0) throw new ScimFilterError('empty filter');
  const node = expr();
  if (pos !== tokens.length) throw new ScimFilterError('unexpected input after the expression');
  return node;
}

/** Looks an attribute up case-insensitively; dotted paths descend, arrays yield every element's value. */
export function attributeValues(resource: Record<string, unknown>, attr: string): unknown[] {
  let current: unknown[] = [resource];
  for (const part of attr.toLowerCase().split('.')) {
    const next: unknown[] = [];
    for (const item of current) {
      const items = Array.isArray(item) ? item : [item];
      for (const obj of items) {
        if (!obj || typeof obj !== 'object') continue;
        const key = Object.keys(obj).find((k) => k.toLowerCase() === part);
        if (key === undefined) continue;
        const v = (obj as Record<string, unknown>)[key];
        if (Array.isArray(v)) next.push(...v);
        else next.push(v);
      }
    }
    current = next;
  }
  return current.filter((v) => v !== undefined);
}

function compare(actual: unknown, op: string, expected: string | number | boolean | null): boolean {
  if (actual === null || actual === undefined) return op === 'eq' && expected === null;
  if (typeof expected === 'string') {
    const a = String(actual).toLowerCase();
    const e = expected.toLowerCase();
    switch (op) {
      case 'eq': return a === e;
      case 'co': return a.includes(e);
      case 'sw': return a.startsWith(e);
      case 'gt': return a > e;
      case 'ge': return a >= e;
      case 'lt': return a < e;
      case 'le': return a <= e;
    }
    return false;
  }
  if (typeof expected === 'boolean') return op === 'eq' && actual === expected;
  if (typeof expected === 'number' && typeof actual === 'number') {
    switch (op) {
      case 'eq': return actual === expected;
      case 'gt': return actual > expected;
      case 'ge': return actual >= expected;
      case 'lt': return actual < expected;
      case 'le': return actual <= expected;
    }
  }
  return op === 'eq' && expected === null ? false : String(actual) === String(expected);
}

export function matchesFilter(node: FilterNode, resource: Record<string, unknown>): boolean {
  switch (node.op) {
    case 'and': return matchesFilter(node.left, resource) && matchesFilter(node.right, resource);
    case 'or': return matchesFilter(node.left, resource) || matchesFilter(node.right, resource);
    case 'pr': return attributeValues(resource, node.attr).some((v) => v !== null && v !== '');
    default: {
      const values = attributeValues(resource, node.attr);
      if (values.length === 0) return node.op === 'eq' && node.value === null;
      return values.some((v) => compare(v, node.op, node.value));
    }
  }
}

/** Every attribute name a filter mentions (for endpoints that only allow some). */
export function filterAttributes(node: FilterNode): string[] {
  if ('left' in node) return [...filterAttributes(node.left), ...filterAttributes(node.right)];
  return [node.attr];
}

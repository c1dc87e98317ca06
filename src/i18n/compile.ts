import type { MessageCompiler, MessageContext, MessageFunction } from 'vue-i18n';

/**
 * A message compiler for the two things our messages use: named placeholders (`{n}`) and
 * plural cases separated by `|`. The app ships vue-i18n's runtime-only build with this
 * instead of its full message compiler, which would cost ~10 KB gzip of a 250 KB app shell.
 * A unit test renders every message of every language through both compilers and checks
 * they agree, so a message that needs more syntax fails the build's tests, not a user.
 */

type Part = string | { name: string };

const cache = new Map<string, MessageFunction<string>>();

function parseCase(source: string): Part[] {
  const parts: Part[] = [];
  const re = /\{\s*([A-Za-z_][\w]*)\s*\}/g;
  let last = 0;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    if (m.index > last) parts.push(source.slice(last, m.index));
    parts.push({ name: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  return parts;
}

/** How vue-i18n shows a value: nothing for null/undefined, JSON for plain objects and arrays. */
function display(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v) || (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)) return JSON.stringify(v, null, 2);
  return String(v);
}

function build(source: string): MessageFunction<string> {
  // vue-i18n trims the whitespace around each plural case.
  const cases = source.includes('|') ? source.split('|').map((c) => parseCase(c.trim())) : [parseCase(source)];
  const render = (ctx: MessageContext<string>, parts: Part[]) => parts.map((p) => (typeof p === 'string' ? p : display(ctx.named(p.name)))).join('');
  if (cases.length === 1) return (ctx: MessageContext<string>) => render(ctx, cases[0]!);
  return (ctx: MessageContext<string>) => ctx.plural(cases.map((c) => render(ctx, c)));
}

export const compileMessage: MessageCompiler = (message, { key, onError }) => {
  if (typeof message !== 'string') {
    onError?.(Object.assign(new Error(`message ${key}: precompiled messages are not supported`), { code: 0 }) as never);
    return () => key;
  }
  let fn = cache.get(message);
  if (!fn) {
    fn = build(message);
    cache.set(message, fn);
  }
  return fn;
};

/**
 * Server-rendered HTML: one tagged template, `html`, that escapes every interpolated value
 * unless it is already HTML made by `html` itself. A TSI, caller name or file name from a fax
 * is therefore always text on the page, never markup.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** The one escape function: text to HTML text or attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

function render(value: Part): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1];
  });
  return new Html(out);
}

export interface PageUser {
  name: string;
  admin: boolean;
}

export interface PageContext {
  user: PageUser | null;
  csrfToken: string;
  /** The navigation entry to mark. */
  current?: string;
  notice?: string | null;
  /** Reload the page after this many seconds (a job in progress), without script. */
  refreshSeconds?: number;
}

const NAV: [string, string][] = [
  ['/', 'Inbox'],
  ['/sent', 'Sent'],
  ['/send', 'Send'],
  ['/held', 'Held'],
  ['/contacts', 'Contacts'],
];

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}" />`;
}

export function page(title: string, ctx: PageContext, body: Html): string {
  const nav = ctx.user
    ? html`<nav>
        ${NAV.map(
          ([href, label]) =>
            html`<a href="${href}" ${ctx.current === href ? html` aria-current="page"` : ''}>${label}</a>`,
        )}
        <form method="post" action="/logout" class="logout">
          ${csrfField(ctx.csrfToken)}<span>${ctx.user.name}${ctx.user.admin ? ' (admin)' : ''}</span>
          <button>Log out</button>
        </form>
      </nav>`
    : '';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · lpfax</title>
        <link rel="stylesheet" href="/static/style.css" />
        ${ctx.refreshSeconds ? html`<meta http-equiv="refresh" content="${ctx.refreshSeconds}" />` : ''}
      </head>
      <body>
        <header><strong>lpfax</strong>${nav}</header>
        <main>
          <h1>${title}</h1>
          ${ctx.notice ? html`<p class="notice" role="status">${ctx.notice}</p>` : ''} ${body}
        </main>
      </body>
    </html> `.text;
}

/** A local time for people, to the minute. */
export function when(d: Date | null): string {
  if (!d) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Previous/next links for a list of `total` items shown `limit` at a time. */
export function pager(base: string, offset: number, limit: number, total: number): Html {
  const join = base.includes('?') ? '&' : '?';
  const prev =
    offset > 0 ? html`<a href="${base}${join}offset=${Math.max(0, offset - limit)}">Newer</a>` : '';
  const next = offset + limit < total ? html`<a href="${base}${join}offset=${offset + limit}">Older</a>` : '';
  const last = Math.min(total, offset + limit);
  return html`<p class="pager">
    ${total === 0 ? 'None.' : `${offset + 1}–${last} of ${total}`} ${prev} ${next}
  </p>`;
}

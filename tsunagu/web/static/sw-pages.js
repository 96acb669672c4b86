// @ts-check
/** What the worker answers: a decrypted file, the unlock page for a locked one, a Japanese page for a refusal,
    and the public runtime (network first, the cache offline). */
import { Locked, Refused, Rollback, UnsafeKeys } from "./errors.js";
import { current, forget, freshness } from "./sw-build.js";
import { readFile, readLatest } from "./sw-read.js";
import { SCOPE } from "./sw-route.js";
import { cached, keepIfRoom } from "./sw-store.js";

/** @type {Record<string, string>} */
const TYPES = { html: "text/html; charset=utf-8", json: "application/json", csv: "text/csv; charset=utf-8" };

/** @param {import("./sw-route.js").Target} target @param {Request} req */
function toUnlock(target, req) {
  const next = encodeURIComponent(target.rel + new URL(req.url).search);
  return Response.redirect(SCOPE + "unlock/?next=" + next, 302);
}

/** A page of the worker's own: a title and one sentence. @param {number} status @param {string} title @param {string} text */
function plainPage(status, title, text) {
  const html = `<!doctype html><html lang="ja"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="stylesheet" href="${SCOPE}assets/style.css"><main class="locked"><h1>${title}</h1><p>${text}</p><p><a href="${SCOPE}unlock/">ロック解除ページへ</a></p></main>`;
  return new Response(html, { status, headers: { "content-type": TYPES.html, "cache-control": "no-store" } });
}

/** Why a file is not shown, by the type of the refusal. @param {import("./sw-route.js").Target} target @param {Refused} err */
function refusal(target, err) {
  if (!target.page) return new Response("refused", { status: 500 });
  if (err instanceof Rollback) {
    return plainPage(409, "古い版が配信されています", "この端末は、これより新しい版のサイトを表示したことがあります。古い版は安全のため表示しません。しばらくしてから再読み込みするか、管理者に連絡してください。");
  }
  if (err instanceof UnsafeKeys) {
    return plainPage(500, "安全でない設定です", "鍵の設定（keys.json）がこの版の安全基準を満たしていないため、表示しません。管理者に連絡してください。");
  }
  return plainPage(500, "改ざんを検出しました", "このページの内容が正しくありません（改ざんまたは破損）。管理者に連絡してください。");
}

/** The not-found page, shown at whatever address was asked for (/r/gone.html, /a/b/c/): its links are relative to
    the site's root, so the root becomes its base. @param {Blob | null} body */
async function notFound(body) {
  if (!body) return body;
  return new Blob([(await body.text()).replace("<head>", `<head>\n<base href="${SCOPE}">`)], { type: body.type });
}

const WHEN = new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", month: "numeric", day: "numeric",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** A page with 「最新の版を確認できませんでした」 at the top: keys.json could not be fetched, so this may
    be an old build the host keeps serving. @param {Blob} body @param {number} at last check (ms) */
async function withUnchecked(body, at) {
  const parts = at ? Object.fromEntries(WHEN.formatToParts(new Date(at)).map((p) => [p.type, p.value])) : null;
  const when = parts ? `${parts.month}月${parts.day}日 ${parts.hour}:${parts.minute}` : "不明";
  const notice = `<p class="unchecked-banner" role="status" data-unchecked>最新の版を確認できませんでした（最終確認 ${when}）</p>`;
  const html = await body.text();
  const open = /<body[^>]*>/.exec(html);
  if (!open) return body;
  const end = open.index + open[0].length;
  return new Blob([html.slice(0, end), notice, html.slice(end)]);
}

/** A protected file, decrypted; or what to show instead. @param {Request} req @param {import("./sw-route.js").Target} target */
export async function serve(req, target) {
  try {
    let { b, body } = await readLatest(target);
    let status = 200;
    if (!body && target.page) { body = await notFound(await readFile(b, "404.html")); status = 404; }
    if (!body) return new Response(null, { status: 404 });
    const ext = target.path.split(".").pop() || "";
    if (ext === "html" && freshness().failed) body = await withUnchecked(body, freshness().at);
    return new Response(body, { status, headers: {
      "content-type": TYPES[ext] || "application/octet-stream", "cache-control": "no-store", "x-content-type-options": "nosniff" } });
  } catch (err) {
    if (err instanceof Locked) return target.page ? toUnlock(target, req) : new Response("locked", { status: 401 });
    if (err instanceof Refused) { forget(); return refusal(target, err); }
    return target.page ? plainPage(503, "オフラインです", "ネットワークに接続できず、このページはこの端末に保存されていません。次に通信できるときに、どのページでも下の「この端末に保存」を押すと、オフラインでもすべてのページと検索を使えます。") : Response.error();
  }
}

/** Styles, scripts and Pagefind's runtime: from the network when online (a new build brings new ones),
    from the cache offline, so pages seen once still work without a connection. One fetched while the
    keys.json a page view just checked was already current belongs to that build: it is used again
    without a round trip until keys.json changes. @param {Request} req */
export async function publicFile(req) {
  const b = current(), key = new URL(req.url).pathname, tag = b ? b.tag : "";
  const hit = tag && await cached(key);
  if (hit && hit.headers.get("x-tsunagu-build") === tag) return hit;
  try {
    const res = await fetch(req);
    if (res.ok) {
      const headers = new Headers(res.headers);
      headers.set("x-tsunagu-build", tag);
      res.clone().blob().then((body) => keepIfRoom(key, new Response(body, { status: res.status, headers }))).catch(() => {});
    }
    return res;
  } catch (e) {
    const hit = await cached(key);
    if (hit) return hit;
    throw e;
  }
}

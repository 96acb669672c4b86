// Runs the relay's token code over tests/vectors/relay-token.json; prints what it decided for each, as JSON.
import { readFileSync } from "node:fs";
import { hexKey, issueTag, linkId, parseReplay, receiptOf, relayCheck } from "../../relay/token.mjs";

const vectors = JSON.parse(readFileSync(process.argv[2], "utf8"));
const key = hexKey(vectors.k_relay);
const out = { tokens: [], receipts: [], link_ids: [] };
for (const v of vectors.tokens) {
  try {
    const token = await relayCheck(v.token, key, vectors.now);
    out.tokens.push({ name: v.name, relay: "ok", decoded: token });
  } catch (e) {
    if (!e.reason) throw e;
    out.tokens.push({ name: v.name, relay: e.reason });
  }
}
for (const r of vectors.receipts) out.receipts.push({ replay: r.replay, receipt: await receiptOf(parseReplay(r.replay)) });
for (const l of vectors.link_ids) out.link_ids.push({ token: l.token, link: await linkId(l.token) });
const unsigned = vectors.issue.body.slice(0, vectors.issue.body.lastIndexOf("tag: "));
out.issue_tag = await issueTag(key, vectors.issue.title, unsigned);
console.log(JSON.stringify(out));

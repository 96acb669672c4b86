// The relay's only credential: a GitHub App. Per request it signs a JWT (RS256, WebCrypto), mints an
// installation token narrowed to one repository and to Issues (write for a submission, read for a
// receipt), uses it for one or two calls and revokes it. The App can neither push nor read contents.

const enc = new TextEncoder();

function b64url(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function derLength(n) {
  if (n < 0x80) return [n];
  const bytes = [];
  for (; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

// GitHub hands out PKCS#1 keys ("BEGIN RSA PRIVATE KEY"); WebCrypto imports PKCS#8 only: wrap it.
const RSA_ALGORITHM = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];

function pkcs8(pem) {
  const text = pem.replace(/\\n/g, "\n");   // a key pasted into a one-line setting keeps its escaped newlines
  const body = text.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
  const der = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  if (!text.includes("BEGIN RSA PRIVATE KEY")) return der;
  const octets = [0x04, ...derLength(der.length)];
  const inner = [0x02, 0x01, 0x00, ...RSA_ALGORITHM, ...octets];
  const out = new Uint8Array(1 + derLength(inner.length + der.length).length + inner.length + der.length);
  out.set([0x30, ...derLength(inner.length + der.length), ...inner]);
  out.set(der, out.length - der.length);
  return out;
}

/** A JWT that proves the App's identity for ten minutes at most (backdated a minute for clock skew). */
export async function appJwt(appId, pem, now) {
  const key = await crypto.subtle.importKey("pkcs8", pkcs8(pem), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false, ["sign"]);
  const head = b64url(enc.encode(JSON.stringify({ alg: "RS256", typ: "JWT" })));
  const claims = b64url(enc.encode(JSON.stringify({ iat: now - 60, exp: now + 540, iss: String(appId) })));
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, enc.encode(`${head}.${claims}`));
  return `${head}.${claims}.${b64url(new Uint8Array(signature))}`;
}

export class ForgeError extends Error {}

/** The forge as this relay may use it: one repository, Issues only, a fresh token per request. */
export class Forge {
  constructor(env, now) {
    this.api = (env.GITHUB_API_URL || "https://api.github.com").replace(/\/+$/, "");
    this.repository = env.GITHUB_REPOSITORY || "";
    this.env = env;
    this.now = now;
    this.token = null;
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(this.repository) || !/^\d+$/.test(env.GITHUB_APP_ID || "")
        || !/^\d+$/.test(env.GITHUB_INSTALLATION_ID || "") || !env.GITHUB_APP_PRIVATE_KEY) {
      throw new ForgeError("relay not configured: GITHUB_REPOSITORY, GITHUB_APP_ID, GITHUB_INSTALLATION_ID, "
        + "GITHUB_APP_PRIVATE_KEY");
    }
  }

  async call(method, path, auth, body) {
    const response = await fetch(this.api + path, {
      method,
      headers: {
        Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "tsunagu-relay",
        Authorization: `Bearer ${auth}`, ...(body ? { "Content-Type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new ForgeError(`${method} ${path}: ${response.status}`);
    return response.status === 204 ? null : response.json();
  }

  /** Mint the installation token of this request: this repository only, `issues` at `access` only. */
  async open(access) {
    const jwt = await appJwt(this.env.GITHUB_APP_ID, this.env.GITHUB_APP_PRIVATE_KEY, this.now);
    const name = this.repository.split("/")[1];
    const minted = await this.call("POST", `/app/installations/${this.env.GITHUB_INSTALLATION_ID}/access_tokens`, jwt,
      { repositories: [name], permissions: { issues: access } });
    if (!minted || typeof minted.token !== "string") throw new ForgeError("no installation token");
    this.token = minted.token;
  }

  /** Revoke this request's token (it would otherwise live an hour); a failure here loses nothing. */
  async close() {
    if (!this.token) return;
    try { await this.call("DELETE", "/installation/token", this.token); } catch { /* expires by itself */ }
    this.token = null;
  }

  /** The relay's issues updated since a moment (newest first), at most `pages` pages of 100. */
  async recentIssues(sinceSeconds, pages = 3) {
    const since = new Date(sinceSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const found = [];
    for (let page = 1; page <= pages; page++) {
      const batch = await this.call("GET", `/repos/${this.repository}/issues?labels=tsunagu-relay&state=all`
        + `&since=${since}&sort=created&direction=desc&per_page=100&page=${page}`, this.token);
      found.push(...batch);
      if (batch.length < 100) break;
    }
    return found;
  }

  async createIssue(title, body) {
    const issue = await this.call("POST", `/repos/${this.repository}/issues`, this.token,
      { title, body, labels: ["tsunagu-relay"] });
    // GitHub drops labels given at creation without a word where it deems the creator may not set them;
    // the workflow and the receipts find relay issues by this label, so make sure it is there.
    if (!(issue?.labels || []).some((l) => (typeof l === "string" ? l : l?.name) === "tsunagu-relay")) {
      await this.call("POST", `/repos/${this.repository}/issues/${Number(issue.number)}/labels`, this.token,
        { labels: ["tsunagu-relay"] });
    }
    return issue;
  }

  /** The relay issue whose title carries this receipt, or null. */
  async findReceipt(receipt) {
    const q = `repo:${this.repository} is:issue label:tsunagu-relay in:title "${receipt}"`;
    const result = await this.call("GET", `/search/issues?q=${encodeURIComponent(q)}&per_page=5`, this.token);
    return (result.items || []).find((i) => typeof i.title === "string" && i.title.endsWith(` ${receipt}`)) || null;
  }
}

// The relay as a Netlify Function on the site's own origin (`config.path`); settings from the site's
// environment variables. Netlify's own rate limit (per client address) comes on top of the relay's.
import { handle } from "../../handler.mjs";

const NAMES = ["TSUNAGU_RELAY_KEY", "TSUNAGU_SITE_ORIGIN", "TSUNAGU_LIMIT_LINK", "TSUNAGU_LIMIT_ADDRESS",
  "TSUNAGU_LIMIT_ADMIN", "TSUNAGU_LIMIT_RECEIPTS", "GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY",
  "GITHUB_INSTALLATION_ID", "GITHUB_REPOSITORY", "GITHUB_API_URL"];

function settings() {
  const get = (name) => globalThis.Netlify?.env?.get(name) ?? process.env[name];
  return Object.fromEntries(NAMES.map((name) => [name, get(name)]).filter(([, value]) => value !== undefined));
}

export default async (request, context) => handle(request, settings(), { address: context.ip });

export const config = {
  path: ["/api/update", "/api/receipt/*"],
  rateLimit: { windowLimit: 60, windowSize: 60, aggregateBy: ["ip", "domain"] },
};

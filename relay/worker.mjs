// The relay as a Cloudflare Worker on its own origin beside GitHub Pages (wrangler.toml beside this file).
import { handle } from "./handler.mjs";

export default {
  async fetch(request, env) {
    return handle(request, env, {
      address: request.headers.get("CF-Connecting-IP"),   // set by Cloudflare; a client cannot choose it
      // An optional Workers rate-limit binding: durable across instances, where memory is per instance.
      limited: env.TSUNAGU_ADDRESS_LIMIT
        ? async (key) => !(await env.TSUNAGU_ADDRESS_LIMIT.limit({ key })).success : undefined,
    });
  },
};

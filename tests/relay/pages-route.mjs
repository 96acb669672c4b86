// What Cloudflare Pages builds from functions/api/[[route]].js: a Worker that hands /api/* to onRequest.
import { onRequest } from "../../relay/pages/functions/api/[[route]].js";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (!url.pathname.startsWith("/api/")) return new Response("static asset", { status: 404 });
    return onRequest({ request, env, params: { route: url.pathname.split("/").slice(2) }, data: {},
      waitUntil() {}, next: () => new Response("static asset", { status: 404 }) });
  },
};

// The relay as a Cloudflare Pages Function: same origin as the site, so no request leaves the origin.
// Deploy: copy relay/ so that this file is functions/api/[[route]].js beside the uploaded site (README).
import worker from "../../../worker.mjs";

export async function onRequest(context) {
  return worker.fetch(context.request, context.env);
}

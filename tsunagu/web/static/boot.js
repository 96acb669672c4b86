// @ts-check
/* Plaintext stub of every protected page: an uncontrolled visit (first visit, hard reload,
   bookmark) goes to the unlock page, which comes back here once the service worker holds a key. */
const root = new URL("../", import.meta.url);
const here = new URL(location.href);
const rel = decodeURIComponent(here.pathname).slice(decodeURIComponent(root.pathname).length);
location.replace(new URL("unlock/?next=" + encodeURIComponent(rel + here.search + here.hash), root));

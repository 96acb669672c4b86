// @ts-check
/** Typed lookups for pages whose template holds every id a script asks for (the update page). */

/** An element of the page by id. @param {string} id */
export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** A form field of the page by id (an input, textarea or select: each has a value). @param {string} id */
export const field = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

/** The inputs under a node that match a selector. @param {ParentNode} node @param {string} css */
export const inputs = (node, css) => /** @type {HTMLInputElement[]} */ ([...node.querySelectorAll(css)]);

/** The content of a named meta element. @param {string} name */
export const meta = (name) => /** @type {HTMLMetaElement} */ (document.querySelector(`meta[name="${name}"]`)).content;

/** Show or hide an element by id. @param {string} id */
export const show = (id, on = true) => { $(id).hidden = !on; };

/** Set an element's text (never HTML) and give it back. @template {Element} T @param {T} el @param {string} s */
export const text = (el, s) => { el.textContent = s; return el; };

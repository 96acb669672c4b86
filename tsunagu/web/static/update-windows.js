// @ts-check
/** The update page's contact windows (physicians): one fieldset per window, read back as answers. */
import { $, inputs, text } from "./dom.js";

/** @typedef {{ days: string[], time: string, methods?: string[] }} Window */

/** @param {Window | null} w */
export function addWindow(w) {
  const node = /** @type {HTMLElement} */ (/** @type {HTMLTemplateElement} */ ($("window-template")).content.firstElementChild?.cloneNode(true));
  const n = $("windows").children.length + 1;
  text(/** @type {Element} */ (node.querySelector("legend")), `時間帯 ${n}`);
  if (w) {
    inputs(node, ".days input:not(.method)").forEach((el) => { el.checked = w.days.includes(el.value); });
    inputs(node, "input.method").forEach((el) => { el.checked = (w.methods || []).includes(el.value); });
    [inputs(node, ".start")[0].value, inputs(node, ".end")[0].value] = w.time.split("-");
  }
  node.querySelector(".remove-window")?.addEventListener("click", () => node.remove());
  $("windows").append(node);
}

/** @param {string[]} problems @returns {Window[]} */
export function windowsAnswer(problems) {
  /** @type {Window[]} */
  const out = [];
  [...$("windows").children].forEach((node, i) => {
    const days = inputs(node, ".days input:not(.method):checked").map((el) => el.value);
    const start = inputs(node, ".start")[0].value, end = inputs(node, ".end")[0].value;
    if (!days.length && !start && !end) return;
    if (!days.length || !start || !end || end <= start) { problems.push(`時間帯 ${i + 1}: 曜日と、開始・終了の時刻（終了は開始より後）を選んでください。`); return; }
    /** @type {Window} */
    const w = { days, time: `${start}-${end}` };
    const methods = inputs(node, "input.method:checked").map((el) => el.value);
    if (methods.length) w.methods = methods;
    out.push(w);
  });
  return out;
}

/** @param {Window} w */
export const plainWindow = (w) => Object.assign({ days: w.days, time: w.time }, w.methods && w.methods.length ? { methods: w.methods } : {});

// Time in the browser (time.js): the date and minute in Japan whatever the device's zone, contact windows, holidays.
import assert from "node:assert/strict";
import test from "node:test";
import { load } from "./support.mjs";

process.env.TZ = "Pacific/Honolulu";   // a device far from Japan: nothing below may depend on it
const time = await load("time.js");
const at = (iso) => new Date(iso);
const THU = { days: ["thu"], start: "13:00", end: "14:00", methods: ["電話"] };
const FRI_HOLIDAYS = { days: ["fri"], start: "09:00", end: "10:00", methods: ["FAX"], holidays: true };

test("the date and minute in Japan, not on the device", () => {
  assert.equal(new Date(0).getTimezoneOffset(), 600);   // the zone above is in effect
  assert.deepEqual(time.nowInJapan(at("2026-11-26T04:30:00Z")), { date: "2026-11-26", minutes: 13 * 60 + 30 });
  assert.deepEqual(time.nowInJapan(at("2026-12-31T15:00:00Z")), { date: "2027-01-01", minutes: 0 });   // New Year in Japan
  assert.deepEqual(time.nowInJapan(at("2026-12-31T14:59:00Z")), { date: "2026-12-31", minutes: 23 * 60 + 59 });
});

test("day numbers are calendar arithmetic", () => {
  assert.equal(time.dayNumber("1970-01-02"), 1);
  assert.equal(time.dayNumber("2027-01-01") - time.dayNumber("2026-12-31"), 1);
  assert.equal(time.dayNumber("2028-03-01") - time.dayNumber("2028-02-28"), 2);   // a leap year
});

test("inside a window now, until its end (exclusive)", () => {
  const now = time.contactNow([THU], {}, at("2026-11-26T04:30:00Z"));   // Thursday 13:30 in Japan
  assert.equal(now.state, "now");
  assert.equal(time.describeContact(now, {}, at("2026-11-26T04:30:00Z")), "今連絡できます: 電話（14:00まで）");
  const after = time.contactNow([THU], {}, at("2026-11-26T05:00:00Z"));   // 14:00: the window is over
  assert.deepEqual(after.state === "later" && [after.offset, after.iso, after.day], [7, "2026-12-03", "thu"]);
  assert.equal(time.describeContact(after, {}, at("2026-11-26T05:00:00Z")), "次は 12月3日 木曜 13:00-14:00 電話");
});

test("the next window: later today, tomorrow, or a weekday name within the week", () => {
  const before = time.contactNow([THU], {}, at("2026-11-26T00:00:00Z"));   // Thursday 09:00
  assert.equal(time.describeContact(before, {}), "次は 今日 13:00-14:00 電話");
  const wed = at("2026-11-25T04:30:00Z");
  assert.equal(time.describeContact(time.contactNow([THU], {}, wed), {}, wed), "次は 明日 木曜 13:00-14:00 電話");
  const mon = at("2026-11-23T04:30:00Z");
  assert.equal(time.describeContact(time.contactNow([THU], {}, mon), {}, mon), "次は 木曜 13:00-14:00 電話");
});

test("a national holiday is no contact day unless the window says so", () => {
  const thursday = at("2026-11-26T04:30:00Z"), table = { "2026-11-26": "テストの日" };
  const skipped = time.contactNow([THU], table, thursday);
  assert.equal(skipped.state === "later" && skipped.iso, "2026-12-03");
  assert.equal(time.describeContact(skipped, table, thursday), "次は 12月3日 木曜 13:00-14:00 電話（今日は祝日: テストの日）");
  const friday = at("2026-11-27T00:30:00Z"), fridayOff = { "2026-11-27": "休日" };
  assert.equal(time.contactNow([FRI_HOLIDAYS], fridayOff, friday).state, "now");
});

test("no window within two weeks", () => {
  const none = time.contactNow([], {}, at("2026-11-26T04:30:00Z"));
  assert.deepEqual(none, { state: "none" });
  assert.equal(time.describeContact(none, {}), "2週間以内に連絡できる時間帯はありません");
});

test("short dates name their year once the year has turned", () => {
  assert.equal(time.shortDate("2026-03-05"), "3月5日");
  assert.equal(time.datedIn("2026-12-28", "2026"), "12月28日");
  assert.equal(time.datedIn("2026-12-28", "2027"), "2026年12月28日");
});

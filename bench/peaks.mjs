// Preload (`node --import ./bench/peaks.mjs program`) that samples this process's memory every
// millisecond the event loop allows and, at exit, prints one JSON line on stderr with the peaks
// (MiB): rss, heap spaces (new, old, code, large object), external and arrayBuffers. For telling
// apart what a peak RSS is made of: the young generation V8 grew, the old generation, or ArrayBuffer
// backing stores (e.g. 64 KiB pipe reads that are dead but not yet collected).
import * as v8 from "node:v8"

const peaks = {}
const keep = (key, value) => {
  if (!(peaks[key] >= value)) peaks[key] = value
}
const sample = () => {
  const usage = process.memoryUsage()
  keep("rss", usage.rss)
  keep("external", usage.external)
  keep("arrayBuffers", usage.arrayBuffers)
  for (const space of v8.getHeapSpaceStatistics()) {
    if (space.space_size > 0) keep(space.space_name, space.space_size)
  }
}
setInterval(sample, 1).unref()
process.on("exit", () => {
  sample()
  const mib = Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, Math.round(v / 1048576 * 10) / 10]))
  mib.maxRss = Math.round(process.resourceUsage().maxRSS / 1024 * 10) / 10
  process.stderr.write("peaks " + JSON.stringify(mib) + "\n")
})

// Shared by the memory and start-up scripts (young-gen.mjs and pretenure.mjs use all of it,
// startup.mjs, lazy-model.mjs and memory-floor.mjs a part): their command-line numbers, medians, the
// order of interleaved runs and a contestant's summary line, the 64 KiB block of delta lines the in-process programs split, and what a process's
// young-generation collections (scavenges) kept, read from its `node --trace-gc-nvp` output and
// the line peaks.mjs writes.

/** The positive integer given after `name` on the command line; `fallback` without `name`. */
export const positiveIntegerArg = (name, fallback) => {
  const i = process.argv.indexOf(name)
  if (i < 0) return fallback
  const value = Number(process.argv[i + 1])
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive integer`)
  return value
}

/** The median of `values` (of an even count, the mean of the two in the middle). */
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The order of round `round` of interleaved runs: `items` as given in even rounds, reversed in odd ones. */
export const inTurn = (items, round) => round % 2 === 0 ? items : [...items].reverse()

/** A contestant's summary: the JSON of the last line it writes to stdout (contestants/common.mjs). */
export const summaryOf = (stdout) => JSON.parse(stdout.trim().split("\n").at(-1))

const line = JSON.stringify({
  type: "stream_event",
  event: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "abcdefghijkl" } },
  session_id: "00000000-0000-4000-8000-000000000000",
  parent_tool_use_id: null,
  uuid: "00000000-0000-4000-8000-000000000001"
}) + "\n"

/** 64 KiB (whole lines) of `stream_event` text-delta lines (made on call: importers that only parse pay nothing). */
export const deltaBlock = () => Buffer.from(line.repeat(Math.floor(65536 / line.length)))

/** The lines of `bytes`, one string each (the "\n" dropped). */
export const splitLines = (bytes) => {
  const out = []
  let from = 0
  let nl = bytes.indexOf(10)
  while (nl !== -1) {
    out.push(bytes.toString("utf8", from, nl))
    from = nl + 1
    nl = bytes.indexOf(10, from)
  }
  return out
}

/**
 * What the scavenges traced in `output` (`--trace-gc-nvp`) kept, each its `promoted` plus
 * `new_space_survived` bytes: how many there were, their sum, median and 90th percentile.
 */
export const scavenges = (output) => {
  const field = (text, key) => Number(new RegExp(` ${key}=([0-9.]+)`).exec(text)?.[1] ?? NaN)
  const survived = output.split("\n").filter((l) => l.includes(" gc=s "))
    .map((l) => field(l, "promoted") + field(l, "new_space_survived"))
  if (survived.length === 0 || survived.some(Number.isNaN)) throw new Error("no scavenges parsed from --trace-gc-nvp")
  const sorted = survived.slice().sort((a, b) => a - b)
  return {
    scavenges: survived.length,
    survivedMiB: survived.reduce((a, b) => a + b, 0) / 2 ** 20,
    medianKiB: sorted[sorted.length >> 1] / 1024,
    p90KiB: sorted[Math.floor(sorted.length * 0.9)] / 1024
  }
}

/** The peaks peaks.mjs printed on `stderr` (MiB): `new_space` (the young generation), `maxRss`, ... */
export const peaksOf = (stderr) => JSON.parse(stderr.split("\n").find((l) => l.startsWith("peaks ")).slice(6))

// What memory reading the fake costs with nothing but Effect's Stream in the way: the same reader
// (split on byte "\n", JSON.parse every line, count) as plain Node, as `Stream.async` over stdout's
// "data" events, and as `@effect/platform-node`'s `NodeStream.fromReadable` (what the command
// executor uses). No library, no Schema. A fourth variant reads as plain Node after importing
// what the Effect variants import (unbundled, from node_modules), for what loading them costs by
// itself. A fifth reads as plain Node and only counts the lines' "\n" bytes, making no string and
// no object: a read is freed by a garbage collection, and a reader that allocates next to nothing
// runs few, so its dead reads pile up (V8 collects for their sake alone only once they reach tens of
// MiB). Each variant runs in its own process under peaks.mjs, interleaved; the table gives
// medians of the peaks.
//
//   node bench/memory-floor.mjs [--events N] [--runs R]
import { spawn, spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}
const variants = [
  "node",
  "node, Effect imported",
  "Stream.async",
  "NodeStream.fromReadable",
  "node, reads only counted"
]

if (process.argv[2] === "--child") {
  const { byteLines, FAKE, FAKE_ARGS } = await import("./contestants/common.mjs")
  const variant = process.argv[3]
  const child = spawn(FAKE, FAKE_ARGS, { stdio: ["ignore", "pipe", "inherit"] })
  let count = 0
  const lines = byteLines((buffer, start, end) => {
    if (end > start) count += JSON.parse(buffer.toString("utf8", start, end)) === null ? 0 : 1
  })
  if (variant === "node, reads only counted") {
    // counts the lines by their "\n" bytes, without making a string or an object
    child.stdout.on("data", (bytes) => {
      for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) count++
    })
    await new Promise((resolve) => child.on("close", resolve))
    process.stdout.write(JSON.stringify({ count }) + "\n")
    process.exit(0)
  } else if (variant.startsWith("node")) {
    // the second: what loading the modules the Effect variants use costs by itself
    if (variant !== "node") await Promise.all([import("effect/Stream"), import("@effect/platform-node/NodeStream")])
    child.stdout.on("data", (bytes) => lines.push(bytes))
    await new Promise((resolve) => child.on("close", resolve))
  } else {
    const Effect = await import("effect/Effect")
    const Stream = await import("effect/Stream")
    const source = variant === "Stream.async"
      ? Stream.async((emit) => {
        child.stdout.on("data", (bytes) => emit.single(bytes))
        child.stdout.on("end", () => emit.end())
      })
      : (await import("@effect/platform-node/NodeStream")).fromReadable(() => child.stdout, (error) => error)
    await Effect.runPromise(Stream.runForEachChunk(source, (reads) =>
      Effect.sync(() => {
        for (const bytes of reads) lines.push(bytes)
      })))
  }
  lines.end()
  process.stdout.write(JSON.stringify({ count }) + "\n")
} else {
  const events = arg("--events", 100_000)
  const runs = arg("--runs", 5)
  const samples = new Map(variants.map((v) => [v, []]))
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length]
      const run = spawnSync(
        process.execPath,
        ["--import", path.join(here, "peaks.mjs"), fileURLToPath(import.meta.url), "--child", variant],
        { env: { ...process.env, BENCH_EVENTS: String(events) }, encoding: "utf8" }
      )
      if (run.status !== 0) throw new Error(`${variant} failed: ${run.stderr}`)
      const peaks = JSON.parse(run.stderr.split("\n").find((l) => l.startsWith("peaks ")).slice(6))
      samples.get(variant).push({ ...peaks, count: JSON.parse(run.stdout).count })
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
  const counts = new Set([...samples.values()].flat().map((s) => s.count))
  if (counts.size !== 1) throw new Error(`the variants read different line counts: ${[...counts].join(", ")}`)
  console.log(`${events} events (${[...counts][0]} lines), medians of ${runs} interleaved runs, MiB`)
  console.log("")
  console.log("| reader | peak RSS | young generation | old generation | arrayBuffers |")
  console.log("| --- | ---: | ---: | ---: | ---: |")
  for (const [variant, list] of samples) {
    const m = (key) => median(list.map((s) => s[key] ?? 0)).toFixed(1)
    console.log(`| ${variant} | ${m("maxRss")} | ${m("new_space")} | ${m("old_space")} | ${m("arrayBuffers")} |`)
  }
}

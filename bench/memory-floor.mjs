// What memory reading the fake costs with nothing but Effect's Stream in the way: the same reader
// (split on byte "\n", JSON.parse every line, count) as plain Node, as `Stream.async` over stdout's
// "data" events, and as `@effect/platform-node`'s `NodeStream.fromReadable` (what the command
// executor uses). No library, no Schema. A fourth variant reads as plain Node after importing
// what the Effect variants import (unbundled, from node_modules), for what loading them costs by
// itself. A fifth reads as plain Node and only counts the lines' "\n" bytes, making no string and
// no object: a read is freed by a garbage collection, and a reader that allocates next to nothing
// runs few, so its dead reads pile up (V8 collects for their sake alone only once they reach tens of
// MiB). Two more read as plain Node after loading a bundle (esbuild, as the contestants are
// built, tree-shaken): one of what the Effect floor contestant uses (Effect, Stream, the command
// executor), one of what our contestants use (`ClaudeCode.run` and `.stream`, which reach the
// same Effect modules): what loading them costs a bundled program before it reads anything.
// Each variant runs in its own process under peaks.mjs, interleaved; the table gives medians of
// the peaks. `--block K` splits the deltas into messages of K, as the streaming scenario of
// run.mjs does (K = 1000); without it they are one message, whose last lines carry all the text.
//
//   node bench/memory-floor.mjs [--events N] [--runs R] [--block K]
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { peaksOf } from "./scavenges.mjs"

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
  "node, reads only counted",
  "node, Effect bundled in",
  "node, effect-claude-code bundled in"
]

/** The bundle each "bundled in" variant loads first: what it imports, and the exports it keeps. */
const bundled = {
  "node, Effect bundled in": {
    file: "memory-floor-effect.mjs",
    source: `import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Command from "@effect/platform/Command"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
export const kept = [NodeCommandExecutor.layer, NodeFileSystem.layer, Command.make, Effect.gen, Effect.runPromise, Layer.provide, Stream.repeatEffectChunkOption, Stream.runForEachChunk]`
  },
  "node, effect-claude-code bundled in": {
    file: "memory-floor-ours.mjs",
    source: `import { ClaudeCode } from "effect-claude-code"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
export const kept = [ClaudeCode.run, ClaudeCode.stream, Effect.runPromise, Stream.runForEachChunk]`
  }
}
const bundlePath = (variant) => path.join(here, "results/build", bundled[variant].file)

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
    // the others: what loading modules costs by itself (the Effect variants', unbundled; or a bundle)
    if (variant === "node, Effect imported") {
      await Promise.all([import("effect/Stream"), import("@effect/platform-node/NodeStream")])
    } else if (variant !== "node") {
      // loaded, and what it keeps reachable from this module, so that nothing is collected early
      globalThis.memoryFloorKept = (await import(bundlePath(variant))).kept
    }
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
  const block = arg("--block", 0)
  const esbuild = await import("esbuild")
  const { common } = await import("./build.mjs")
  fs.mkdirSync(path.join(here, "results/build"), { recursive: true })
  for (const variant of Object.keys(bundled)) {
    await esbuild.build({
      ...common,
      stdin: { contents: bundled[variant].source, resolveDir: here, loader: "ts" },
      outfile: bundlePath(variant),
      external: ["node-pty"]
    })
  }
  const samples = new Map(variants.map((v) => [v, []]))
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length]
      const run = spawnSync(
        process.execPath,
        ["--import", path.join(here, "peaks.mjs"), fileURLToPath(import.meta.url), "--child", variant],
        { env: { ...process.env, BENCH_EVENTS: String(events), BENCH_BLOCK: String(block) }, encoding: "utf8" }
      )
      if (run.status !== 0) throw new Error(`${variant} failed: ${run.stderr}`)
      const peaks = peaksOf(run.stderr)
      samples.get(variant).push({ ...peaks, count: JSON.parse(run.stdout).count })
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
  const counts = new Set([...samples.values()].flat().map((s) => s.count))
  if (counts.size !== 1) throw new Error(`the variants read different line counts: ${[...counts].join(", ")}`)
  console.log(
    `${events} events (${[...counts][0]} lines${
      block > 0 ? `, messages of ${block}` : ""
    }), medians of ${runs} interleaved runs, MiB`
  )
  console.log("")
  console.log("| reader | peak RSS | young generation | old generation | arrayBuffers |")
  console.log("| --- | ---: | ---: | ---: | ---: |")
  for (const [variant, list] of samples) {
    const m = (key) => median(list.map((s) => s[key] ?? 0)).toFixed(1)
    console.log(`| ${variant} | ${m("maxRss")} | ${m("new_space")} | ${m("old_space")} | ${m("arrayBuffers")} |`)
  }
}

// Why Effect 3's `Channel.fromEffect` keeps what its effect holds past young-generation GCs
// (bench/README.md, "Which Streams keep it"): V8's parser marks a function literal assigned to a
// property (`obj.prop = () => ...`) as *pretenured*, so each such closure is allocated in the old
// generation, not the young one. Its context (the captured variables) is still allocated young.
// Scavenges take every old-to-young pointer as a root, whether or not the old object is still
// reachable, so a dead pretenured closure keeps its context, and whatever that context holds,
// alive through every scavenge until the next full (mark-compact) GC. `Channel.fromEffect`
// writes `op.effect = () => effect`: every effect a channel runs that way (one per chunk for
// `Stream.runForEachChunk`, whose effect holds its chunk) survives, is promoted, and grows the
// young and the old generation. Made first into a local (`const thunk = () => effect; op.effect =
// thunk`), the closure is an ordinary young object, and nothing is kept.
//
// Rows, each in its own process under `node --trace-gc-nvp`, interleaved, with and without V8's
// optimising compiler (`--no-opt`: how code runs before it is optimised; optimised code can drop
// the closure altogether):
//   - plain JavaScript, 3,000 times: split a 64 KiB block of `stream_event` lines into strings,
//     hang them on an object, put that object in a closure on a fresh `op`, call the closure and
//     count the lines; the closure assigned to the property directly, or made first into a local;
//   - Effect: `Stream.runForEachChunk`'s sink (`Sink.forEachChunk`, rebuilt from its channel
//     operators) counting the same lines, a chunk per block, its effects run through Effect's
//     `Channel.fromEffect`, or through a copy of it with the closure made first into a local.
// For each: the median and 90th percentile of what one scavenge kept, the scavenges, the young
// generation's peak and the peak RSS (medians over the runs), and where V8 allocated the closure
// at the first call and at the last (`%InYoungGeneration`): optimised code may allocate it young,
// but a function is optimised only after thousands of calls, and the old closures made until then
// stay until a full GC.
//
//   node bench/pretenure.mjs [--runs R] [--blocks B]
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as v8 from "node:v8"
import { deltaBlock, inTurn, peaksOf, positiveIntegerArg as arg, scavenges, splitLines as split } from "./scavenges.mjs"

const here = path.dirname(fileURLToPath(import.meta.url))

const programs = {
  "plain JavaScript: op.effect = () => effect": "plain-property",
  "plain JavaScript: const thunk = () => effect; op.effect = thunk": "plain-local",
  "Effect: Stream.runForEachChunk's sink, Effect 3.22's Channel.fromEffect": "effect-stock",
  "Effect: the same, fromEffect's closure made first into a local": "effect-local"
}

if (process.argv[2] === "--child") {
  const name = process.argv[3]
  const blocks = arg("--blocks", 3000)
  const block = deltaBlock()
  // %InYoungGeneration (--allow-natives-syntax) through a Function: this file must parse without the flag
  const inYoung = new Function("x", "return %InYoungGeneration(x)")
  let lines = 0
  /** Where the closure was allocated at the first call and at the last (once optimised, it can be young). */
  const closureYoung = []

  // As Effect 3.22's core-stream.js writes fromEffect, and with its closure made first into a local.
  const viaProperty = (effect) => {
    const op = {}
    op._tag = "FromEffect"
    op.effect = () => effect
    return op
  }
  const viaLocal = (effect) => {
    const op = {}
    op._tag = "FromEffect"
    const thunk = () => effect
    op.effect = thunk
    return op
  }
  const plain = (make) => {
    v8.setFlagsFromString("--trace-gc-nvp")
    const current = { op: undefined }
    for (let i = 0; i < blocks; i++) {
      current.op = make({ lines: split(block) })
      if (i === 0 || i === blocks - 1) closureYoung.push(inYoung(current.op.effect))
      lines += current.op.effect().lines.length
    }
  }

  if (name === "plain-property") plain(viaProperty)
  else if (name === "plain-local") plain(viaLocal)
  else {
    const [Channel, Chunk, Effect, Option, Sink, Stream] = await Promise.all(
      ["effect/Channel", "effect/Chunk", "effect/Effect", "effect/Option", "effect/Sink", "effect/Stream"].map((m) =>
        import(m)
      )
    )
    // Effect's own fromEffect, or a copy of it (its channel's prototype and tag) with the one change
    const proto = Object.getPrototypeOf(Channel.fromEffect(Effect.void))
    const fromEffect = name === "effect-stock" ? Channel.fromEffect : (effect) => {
      const op = Object.create(proto)
      op._tag = "FromEffect"
      const thunk = () => effect
      op.effect = thunk
      return op
    }
    closureYoung.push(inYoung(fromEffect(Effect.void).effect))
    // Sink.forEachChunk as Effect 3.22 writes it, with the fromEffect above
    const forEachChunk = (f) => {
      const process = Channel.readWithCause({
        onInput: (input) => Channel.flatMap(fromEffect(f(input)), () => process),
        onFailure: Channel.failCause,
        onDone: () => Channel.void
      })
      return Sink.fromChannel(process)
    }
    let i = 0
    const stream = Stream.repeatEffectChunkOption(
      Effect.suspend(() =>
        i++ === blocks ? Effect.fail(Option.none()) : Effect.succeed(Chunk.unsafeFromArray(split(block)))
      )
    )
    const program = Stream.run(stream, forEachChunk((chunk) => Effect.sync(() => lines += Chunk.size(chunk))))
    v8.setFlagsFromString("--trace-gc-nvp")
    await Effect.runPromise(program)
    closureYoung.push(inYoung(fromEffect(Effect.void).effect))
  }
  process.stderr.write(`result ${JSON.stringify({ lines, closureYoung })}\n`)
  process.exit(0)
}

const runs = arg("--runs", 3)
const blocks = arg("--blocks", 3000)
const self = fileURLToPath(import.meta.url)

const measure = (program, flags) => {
  const r = spawnSync(process.execPath, [
    "--allow-natives-syntax",
    "--import",
    path.join(here, "peaks.mjs"),
    ...flags,
    self,
    "--child",
    program,
    "--blocks",
    String(blocks)
  ], { encoding: "utf8", maxBuffer: 256 * 2 ** 20 })
  if (r.status !== 0) throw new Error(`${program} exited ${r.status}: ${r.stderr.slice(-2000)}`)
  const result = JSON.parse(r.stderr.split("\n").find((l) => l.startsWith("result ")).slice(7))
  const peaks = peaksOf(r.stderr)
  return {
    lines: result.lines,
    closureYoung: result.closureYoung,
    ...scavenges(r.stdout),
    youngMiB: peaks.new_space,
    rssMiB: peaks.maxRss
  }
}

const rows = Object.entries(programs).flatMap(([label, program]) => [
  { label, program, flags: [] },
  { label: `${label}, --no-opt`, program, flags: ["--no-opt"] }
])
const samples = new Map(rows.map((row) => [row, []]))
for (let i = 0; i < runs; i++) {
  for (const row of inTurn(rows, i)) samples.get(row).push(measure(row.program, row.flags))
  process.stderr.write(".")
}
process.stderr.write("\n")

const lines = new Set([...samples.values()].flat().map((s) => s.lines))
if (lines.size !== 1) throw new Error(`the programs disagree on the lines: ${[...lines].join(", ")}`)
const median = (values) => values.slice().sort((a, b) => a - b)[values.length >> 1]
const fmt = (n) => Math.round(n).toLocaleString("en-US")
console.log(
  `# What a scavenge keeps, by how the closure is made (${blocks} blocks of 64 KiB, ${
    [...lines][0]
  } lines; ${runs} interleaved runs, medians; node ${process.version})\n`
)
console.log(
  "| program | closure allocated, first / last call | one scavenge kept, median KiB | p90 KiB | scavenges | young generation, peak MiB | peak RSS MiB |"
)
console.log("| --- | --- | --: | --: | --: | --: | --: |")
for (const [row, s] of samples) {
  const where = (i) => {
    const young = s.map((x) => x.closureYoung[i])
    return young.every(Boolean) ? "young" : young.some(Boolean) ? "both" : "old"
  }
  const young = `${where(0)} / ${where(1)}`
  console.log(
    `| ${row.label} | ${young} | ${fmt(median(s.map((x) => x.medianKiB)))} | ${fmt(median(s.map((x) => x.p90KiB)))} | ${
      median(s.map((x) => x.scavenges))
    } | ${median(s.map((x) => x.youngMiB)).toFixed(1)} | ${median(s.map((x) => x.rssMiB)).toFixed(1)} |`
  )
}

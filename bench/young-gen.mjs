// Why streamed events cost Effect programs tens of MiB of peak memory that a plain reader never
// pays: how much of what was allocated is still reachable at each young-generation collection
// (V8's scavenge). What a scavenge keeps is copied (and, the second time, moved to the old
// generation, which only a full collection frees); V8 grows the young generation when scavenges
// keep a lot (up to 2 x 16 MiB of semi-spaces on 64-bit Node 20), and a grown young generation is
// resident memory.
//
// Five in-process programs do the same work: split 3,000 blocks of 64 KiB of `stream_event` lines
// into one string per line and count the lines. Only where the strings are made and how they reach
// the counter differ: plain Node; `Effect.forEach` (no Stream); a Stream of the blocks split by its
// consumer; a Stream of the lines (`Stream.mapChunks`, or `Stream.repeatEffectChunkOption`)
// consumed with `Stream.runForEachChunk`. The last Stream is also read with `Stream.toPull` and a
// loop, folded with `Stream.runFold`, consumed by an effect that lets go of its chunk once it has
// counted it, and run under `--no-opt` (V8's optimising compiler off:
// how every function runs before it is optimised, the first ~100-400 ms of a process). Their
// scavenges are traced from the program's start (`v8.setFlagsFromString`), not while Effect loads
// (unbundled, which grows the young generation to 16 MiB by itself). Three more rows read the fake
// over pipes, streaming N events: raw pipes (contestant 1) and `ClaudeCode.stream` (contestant 4
// in stream mode, bundled as run.mjs builds it; read with `Stream.runForEachChunk`, and folded with
// `Stream.runFold`), traced from their start.
//
// Each runs in its own process under `node --trace-gc-nvp` and peaks.mjs, interleaved; the table
// gives medians over the runs of: the scavenges, the bytes that survived them (copied or promoted),
// the median and 90th percentile of what one scavenge kept, the young generation's peak size and
// the peak RSS. The run fails if the in-process programs disagree on the lines, or the contestants
// on the events.
//
//   node bench/young-gen.mjs [--blocks B] [--runs R] [--events N]
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as v8 from "node:v8"
import { deltaBlock, peaksOf, positiveIntegerArg as arg, scavenges, splitLines as split } from "./scavenges.mjs"

const here = path.dirname(fileURLToPath(import.meta.url))

/** The in-process programs: what each does with the blocks' lines. */
const programs = {
  "plain Node: split in a for loop": "plain",
  "Effect, no Stream: Effect.forEach, split inside": "effect-loop",
  "Stream of the blocks, split by the consumer": "stream-blocks",
  "Stream of the lines (Stream.mapChunks), counted by the consumer": "stream-map",
  "Stream of the lines (repeatEffectChunkOption), counted by the consumer": "stream-pull",
  "the same Stream, read with Stream.toPull and a loop": "stream-pull-topull",
  "the same Stream, folded with Stream.runFold": "stream-pull-fold",
  "the same as runForEachChunk, the consumer's effect letting go of its chunk once counted": "stream-pull-drop"
}

if (process.argv[2] === "--child") {
  const name = process.argv[3]
  const blocks = arg("--blocks", 3000)
  const block = deltaBlock()
  const [Chunk, Effect, Option, Stream] = await Promise.all(
    ["effect/Chunk", "effect/Effect", "effect/Option", "effect/Stream"].map((m) => import(m))
  )
  const all = Array.from({ length: blocks }, () => block)
  let lines = 0
  const countChunk = (chunk) => Effect.sync(() => lines += Chunk.size(chunk))
  /** The lines of `blocks` blocks, a chunk per block, each made when it is pulled. */
  const linesStream = () => {
    let i = 0
    return Stream.repeatEffectChunkOption(
      Effect.suspend(() =>
        i++ === blocks ? Effect.fail(Option.none()) : Effect.succeed(Chunk.unsafeFromArray(split(block)))
      )
    )
  }
  const run = {
    plain: () =>
      Effect.sync(() => {
        for (const b of all) lines += split(b).length
      }),
    "effect-loop": () => Effect.forEach(all, (b) => Effect.sync(() => lines += split(b).length), { discard: true }),
    "stream-blocks": () =>
      Stream.runForEachChunk(
        Stream.rechunk(Stream.fromIterable(all), 1),
        (chunk) => Effect.sync(() => lines += split(Chunk.unsafeGet(chunk, 0)).length)
      ),
    "stream-map": () =>
      Stream.runForEachChunk(
        Stream.mapChunks(Stream.rechunk(Stream.fromIterable(all), 1), (c) =>
          Chunk.unsafeFromArray(split(Chunk.unsafeGet(c, 0)))),
        countChunk
      ),
    "stream-pull": () => Stream.runForEachChunk(linesStream(), countChunk),
    "stream-pull-topull": () =>
      Effect.scoped(Effect.flatMap(Stream.toPull(linesStream()), (pull) => {
        const loop = Effect.matchEffect(pull, {
          onFailure: () => Effect.void,
          onSuccess: (chunk) => Effect.zipRight(countChunk(chunk), loop)
        })
        return loop
      })),
    // the effect is kept past scavenges (Channel.fromEffect's closure holds it), but not the chunk
    "stream-pull-drop": () =>
      Stream.runForEachChunk(linesStream(), (chunk) => {
        let held = chunk
        return Effect.sync(() => {
          lines += Chunk.size(held)
          held = undefined
        })
      }),
    "stream-pull-fold": () =>
      Effect.map(Stream.runFold(linesStream(), 0, (n) => n + 1), (n) => {
        lines += n
      })
  }[name]
  const program = run()
  // traced from here on: the program's scavenges, not those of loading Effect
  v8.setFlagsFromString("--trace-gc-nvp")
  await Effect.runPromise(program)
  process.stderr.write(`result ${JSON.stringify({ lines })}\n`)
  process.exit(0)
}

const runs = arg("--runs", 3)
const blocks = arg("--blocks", 3000)
const events = arg("--events", 300_000)

const { build } = await import("./build.mjs")
const built = (await build())("ours-pipe")
const { FAKE } = await import("./contestants/common.mjs")

/** One process under --trace-gc-nvp and peaks.mjs: its scavenges' survivors, its young generation and peak RSS. */
const measure = (argv, env, flags = []) => {
  const child = argv[1] === "--child"
  const r = spawnSync(process.execPath, [
    ...(child ? [] : ["--trace-gc-nvp"]),
    "--import",
    path.join(here, "peaks.mjs"),
    ...flags,
    ...argv
  ], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 256 * 2 ** 20
  })
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr.slice(-2000)}`)
  const result = r.stderr.split("\n").find((l) => l.startsWith("result "))
  const peaks = peaksOf(r.stderr)
  // what was counted: the in-process programs' lines, the contestants' events (the same for every run)
  const counted = result !== undefined
    ? JSON.parse(result.slice(7)).lines
    : JSON.parse(r.stdout.split("\n").filter((l) => l.startsWith("{")).pop()).events
  return {
    counted,
    ...scavenges(r.stdout),
    youngMiB: peaks.new_space,
    rssMiB: peaks.maxRss
  }
}

const self = fileURLToPath(import.meta.url)
const rows = [
  ...Object.entries(programs).map(([label, program]) => ({
    label,
    argv: [self, "--child", program, "--blocks", String(blocks)],
    env: {}
  })),
  {
    label: "Stream of the lines (repeatEffectChunkOption), --no-opt",
    argv: [self, "--child", "stream-pull", "--blocks", String(blocks)],
    env: {},
    flags: ["--no-opt"]
  },
  {
    label: `raw pipes over the fake, ${events} events`,
    argv: [path.join(here, "contestants/raw-pipe.mjs")],
    env: { BENCH_EVENTS: String(events), BENCH_CONSUME: "stream", BENCH_BLOCK: "1000", BENCH_FAKE: FAKE }
  },
  {
    label: `ClaudeCode.stream over the fake (pipe), ${events} events`,
    argv: [built],
    env: { BENCH_EVENTS: String(events), BENCH_CONSUME: "stream", BENCH_BLOCK: "1000", BENCH_FAKE: FAKE }
  },
  {
    label: "the same, folded with Stream.runFold (a consumer that runs no effect)",
    argv: [built],
    env: {
      BENCH_EVENTS: String(events),
      BENCH_CONSUME: "stream",
      BENCH_READ: "runFold",
      BENCH_BLOCK: "1000",
      BENCH_FAKE: FAKE
    }
  }
]

const samples = rows.map(() => [])
for (let run = 0; run < runs; run++) {
  for (let k = 0; k < rows.length; k++) {
    const i = (k + run) % rows.length // rotated, so no row always runs first
    samples[i].push(measure(rows[i].argv, rows[i].env, rows[i].flags))
    process.stderr.write(".")
  }
}
process.stderr.write("\n")
// the programs did the same work: every in-process one counted the same lines, each contestant the same events
const check = (indexes) => {
  const counts = new Set(indexes.flatMap((i) => samples[i].map((s) => s.counted)))
  if (counts.size !== 1) throw new Error(`the programs disagree on what they counted: ${[...counts].join(", ")}`)
}
check(rows.flatMap((row, i) => row.argv[1] === "--child" ? [i] : []))
check(rows.flatMap((row, i) => row.argv[1] === "--child" ? [] : [i]))

const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]
const keys = ["scavenges", "survivedMiB", "medianKiB", "p90KiB", "youngMiB", "rssMiB"]
const digits = { scavenges: 0, survivedMiB: 1, medianKiB: 0, p90KiB: 0, youngMiB: 1, rssMiB: 1 }
console.log(
  `Young-generation survival, ${blocks} blocks of 64 KiB in-process, ${events} events over the fake; medians of ${runs} runs (Node ${process.versions.node})\n`
)
console.log(
  "| program | scavenges | survived, MiB | one scavenge kept, median KiB | p90 KiB | young generation, peak MiB | peak RSS MiB |"
)
console.log("| --- | --: | --: | --: | --: | --: | --: |")
rows.forEach((row, i) =>
  console.log(
    `| ${row.label} | ${keys.map((k) => median(samples[i].map((s) => s[k])).toFixed(digits[k])).join(" | ")} |`
  )
)

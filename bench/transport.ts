// The transports alone: spawn the fake with N events and read its whole output as text, nothing
// else (no line splitting, no JSON, no fold). Four readers, each in its own process:
//
//   ours-pty   `spawnPty` (packages/claude-code/src/internal/pty.ts, over effect-pty)
//   ours-pipe  `spawnPipe` (packages/claude-code/src/internal/pipe.ts)
//   raw-pty    node-pty's public API, utf8 strings (plus the drain on EOF it needs; see raw-pty.mjs)
//   raw-pipe   `child_process.spawn`, stdout's reads as they come
//
// Every reader turns each read into text the same way, with a `StringDecoder` (what node-pty uses;
// it holds back a character cut between two reads), and keeps no text: only its length is counted.
//
// Runs are interleaved (round r runs every reader, in an order rotated by r) and the figures are
// medians. CPU is the reader process's user + system time from just before the spawn to the end of
// the output (process.cpuUsage: it includes V8's GC helper threads, not the fake's time, nor node's
// start-up and imports); compare CPU, not wall, on a loaded machine.
//
//   npm --prefix bench run transport -- [--events N] [--runs R] [reader ...]
//   node bench/results/build/transport.mjs [--events N] [--runs R] [reader ...]   (after build.mjs)
//
// One reader alone, in this process (e.g. under `node --cpu-prof`):
//   node bench/results/build/transport.mjs --child ours-pty [--events N]
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { spawn as spawnChild } from "node:child_process"
import * as os from "node:os"
import { StringDecoder } from "node:string_decoder"
import { fileURLToPath } from "node:url"
import { spawnPipe } from "../packages/claude-code/src/internal/pipe.js"
import { spawnPty } from "../packages/claude-code/src/internal/pty.js"
import type { Spawn } from "../packages/claude-code/src/internal/transport.js"
import { drainAfterEof, FAKE, FAKE_ARGS } from "./contestants/common.mjs"

const readers = ["ours-pty", "raw-pty", "ours-pipe", "raw-pipe"] as const
type ReaderName = typeof readers[number]

interface Sample {
  readonly reader: ReaderName
  readonly chars: number
  readonly chunks: number
  readonly cpuMs: number
  readonly wallMs: number
}

const option = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name)
  if (at === -1) return fallback
  const value = Number(process.argv[at + 1])
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} needs a positive integer, got ${process.argv[at + 1]}`)
  }
  return value
}

const events = option("--events", 100_000)
const env = { ...process.env, BENCH_EVENTS: String(events) }

/** Reads the whole output of one fake run and measures it. */
const measure = async (
  reader: ReaderName,
  read: (onText: (text: string) => void, onChunk: () => void) => Promise<void>
): Promise<Sample> => {
  let chars = 0
  let chunks = 0
  const cpu0 = process.cpuUsage()
  const wall0 = performance.now()
  await read((text) => {
    chars += text.length
  }, () => {
    chunks++
  })
  const cpu = process.cpuUsage(cpu0)
  return { reader, chars, chunks, cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - wall0 }
}

/**
 * One stream chunk (an array of reads) counts as one chunk: what a consumer pulls at a time; each
 * read in it is decoded on its own, as the raw readers decode theirs.
 */
const ours = (spawn: Spawn) => (onText: (text: string) => void, onChunk: () => void) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const decoder = new StringDecoder("utf8")
    const child = yield* spawn({
      command: FAKE,
      args: FAKE_ARGS,
      cwd: undefined,
      env,
      stdin: undefined,
      shutdown: undefined
    })
    yield* Stream.runForEachChunk(child.output, (chunk) =>
      Effect.sync(() => {
        onChunk()
        for (const bytes of chunk) onText(decoder.write(bytes))
      }))
    onText(decoder.end())
  })))

const rawPipe = (onText: (text: string) => void, onChunk: () => void) =>
  new Promise<void>((resolve, reject) => {
    const child = spawnChild(FAKE, FAKE_ARGS, { stdio: ["ignore", "pipe", "inherit"], env })
    const decoder = new StringDecoder("utf8")
    child.stdout.on("data", (bytes: Buffer) => {
      onChunk()
      onText(decoder.write(bytes))
    })
    child.on("error", reject)
    child.on("close", (code) => {
      onText(decoder.end())
      if (code === 0) resolve()
      else reject(new Error(`fake exited with ${code}`))
    })
  })

const rawPty = async (onText: (text: string) => void, onChunk: () => void) => {
  const pty = (await import("node-pty")).default
  return new Promise<void>((resolve, reject) => {
    const term = pty.spawn(FAKE, FAKE_ARGS, { name: "xterm", cols: 80, rows: 24, cwd: process.cwd(), env })
    // node-pty decodes each read with its own StringDecoder
    term.onData((text) => {
      onChunk()
      onText(text)
    })
    // node-pty loses the last KiB after libuv's early EOF: read the rest until EIO (see common.mjs).
    const decoder = new StringDecoder("utf8")
    drainAfterEof(term, (bytes: Buffer) => onText(decoder.write(bytes)), reject)
    term.onExit(({ exitCode }) => exitCode === 0 ? resolve() : reject(new Error(`fake exited with ${exitCode}`)))
  })
}

const runners: Record<ReaderName, (onText: (text: string) => void, onChunk: () => void) => Promise<void>> = {
  "ours-pty": ours(spawnPty),
  "ours-pipe": ours(spawnPipe),
  "raw-pty": rawPty,
  "raw-pipe": rawPipe
}

const isReader = (name: string): name is ReaderName => (readers as ReadonlyArray<string>).includes(name)

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const runChild = (reader: ReaderName): Promise<Sample> =>
  new Promise((resolve, reject) => {
    const self = fileURLToPath(import.meta.url)
    const child = spawnChild(process.execPath, [self, "--child", reader, "--events", String(events)], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout.setEncoding("utf8").on("data", (text: string) => out += text)
    child.on("error", reject)
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${reader} exited with ${code}`))
      resolve(JSON.parse(out.trim().split("\n").pop()!) as Sample)
    })
  })

const childAt = process.argv.indexOf("--child")
if (childAt !== -1) {
  const name = process.argv[childAt + 1] ?? ""
  if (!isReader(name)) throw new Error(`unknown reader ${name}; one of ${readers.join(", ")}`)
  console.log(JSON.stringify(await measure(name, runners[name])))
} else {
  const runs = option("--runs", 7)
  const chosen = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith("--") && !all[i - 1]?.startsWith("--"))
  for (const name of chosen) {
    if (!isReader(name)) throw new Error(`unknown reader ${name}; one of ${readers.join(", ")}`)
  }
  const selected = chosen.length > 0 ? (chosen as Array<ReaderName>) : [...readers]
  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(", ")
  console.log(`transports alone: ${events} events, ${runs} interleaved runs, load before: ${load()}`)
  const samples = new Map<ReaderName, Array<Sample>>(selected.map((name) => [name, []]))
  await runChild(selected[0]!) // warm-up: file cache, first native addon load
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < selected.length; i++) {
      const name = selected[(i + round) % selected.length]!
      samples.get(name)!.push(await runChild(name))
    }
  }
  // Every run of one kind of transport must have read the same text (a PTY adds a \r per line).
  for (const kind of ["pty", "pipe"]) {
    const counts = new Set(
      selected.filter((name) => name.endsWith(kind)).flatMap((name) => samples.get(name)!.map((s) => s.chars))
    )
    if (counts.size > 1) throw new Error(`the ${kind} runs read different amounts of text: ${[...counts].join(", ")}`)
  }
  const cpuOf = (name: ReaderName) => median(samples.get(name)!.map((s) => s.cpuMs))
  const rows = selected.map((name) => {
    const list = samples.get(name)!
    const raw: ReaderName = name.endsWith("pty") ? "raw-pty" : "raw-pipe"
    const ratio = samples.has(raw) ? (cpuOf(name) / cpuOf(raw)).toFixed(2) : "-"
    return `| ${name} | ${cpuOf(name).toFixed(0)} | ${ratio} | ${median(list.map((s) => s.wallMs)).toFixed(0)} | ${
      median(list.map((s) => s.chunks)).toFixed(0)
    } | ${list[0]!.chars} |`
  })
  console.log("")
  console.log("| reader | CPU ms | × raw | wall ms | chunks | chars |")
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |")
  for (const row of rows) console.log(row)
  console.log("")
  console.log(`load after: ${load()}`)
}

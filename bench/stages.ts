// In-process cost of each stage of our pipeline, without processes, pipes or scheduling noise:
// the same 100k-delta output the fake writes, held in memory, pushed through each stage alone.
// Each figure is the median of REPS repetitions (after one warm-up) of the process's CPU time
// (user + system, so it holds up on a loaded machine; it includes V8's GC helper threads), in ns
// per line.
//
//   node bench/results/build/stages.mjs [N]        (built by build.mjs; `npm run stages` in bench/)
//
// Variants marked "(sketch)" are not library code: they estimate what a proposed change would save.
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { execFileSync } from "node:child_process"
import * as ClaudeEvent from "../packages/claude-code/src/ClaudeEvent.js"
import * as ClaudeResult from "../packages/claude-code/src/ClaudeResult.js"
import { DeltaLineDecoder, makeDeltaDecoder } from "../packages/claude-code/src/internal/deltaBytes.js"
import { makeByteLineSplitter, makeLineSplitter, splitLineBytes } from "../packages/claude-code/src/internal/lines.js"
import { FAKE, FAKE_ARGS } from "./contestants/common.mjs"

const N = Number(process.argv[2] ?? 100_000)
const REPS = Number(process.env.STAGES_REPS ?? 7)

const bytes = execFileSync(FAKE, FAKE_ARGS, {
  env: { ...process.env, BENCH_EVENTS: String(N) },
  maxBuffer: 1 << 30
})
const text = bytes.toString("utf8")
const lines = text.split("\n").filter((l) => l.length > 0)
const chunk = (s: string, size: number) => {
  const out: Array<string> = []
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size))
  return out
}
const pipeChunks = chunk(text, 65536)
const ptyChunks = chunk(text.replace(/\n/g, "\r\n"), 4095)
/** The bytes as the transports deliver them: 64 KiB reads from a pipe, 4 KiB reads with \r\n from a terminal. */
const byteChunks = (b: Buffer, size: number) => {
  const out: Array<Buffer> = []
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size))
  return out
}
const pipeReads = byteChunks(bytes, 65536)
const ptyReads = byteChunks(Buffer.from(text.replace(/\n/g, "\r\n"), "utf8"), 4095)
const parsed = lines.map((l) => JSON.parse(l))
const decoded = lines.map((l, i) => Either.getOrThrow(ClaudeEvent.decodeLine(l, i + 1)))

const results: Array<{ stage: string; nsPerLine: number; ms: number }> = []
const measure = (stage: string, run: () => unknown) => {
  run() // warm-up
  const times: Array<number> = []
  for (let r = 0; r < REPS; r++) {
    const t0 = process.cpuUsage()
    run()
    const t = process.cpuUsage(t0)
    times.push((t.user + t.system) / 1000)
  }
  times.sort((a, b) => a - b)
  const ms = times[times.length >> 1]!
  results.push({ stage, ms: Math.round(ms * 10) / 10, nsPerLine: Math.round((ms * 1e6) / lines.length) })
}
const measureAsync = async (stage: string, run: () => Promise<unknown>) => {
  await run()
  const times: Array<number> = []
  for (let r = 0; r < REPS; r++) {
    const t0 = process.cpuUsage()
    await run()
    const t = process.cpuUsage(t0)
    times.push((t.user + t.system) / 1000)
  }
  times.sort((a, b) => a - b)
  const ms = times[times.length >> 1]!
  results.push({ stage, ms: Math.round(ms * 10) / 10, nsPerLine: Math.round((ms * 1e6) / lines.length) })
}

let sink: unknown
// --- splitting (the lines of each chunk are dropped once split, as the runner decodes them per chunk)
const splitEach = <C>(
  make: () => { push: (c: C, out: Array<string>) => void; end: (out: Array<string>) => void },
  chunks: Array<C>
) => {
  const s = make()
  const out: Array<string> = []
  let n = 0
  for (const c of chunks) {
    s.push(c, out)
    n += out.length
    out.length = 0
  }
  s.end(out)
  sink = n + out.length
}
measure(
  "split: makeByteLineSplitter, 64 KiB reads (pipe; what the runner uses)",
  () => splitEach(makeByteLineSplitter, pipeReads)
)
measure("split: makeByteLineSplitter, 4 KiB reads with \\r\\n (PTY)", () => splitEach(makeByteLineSplitter, ptyReads))
measure(
  "split: makeLineSplitter on text already decoded, 64 KiB chunks (pipe; decoding not counted)",
  () => splitEach(makeLineSplitter, pipeChunks)
)
measure(
  "split: makeLineSplitter on text already decoded, 4 KiB chunks with \\r\\n (PTY)",
  () => splitEach(makeLineSplitter, ptyChunks)
)
// --- decoding
measure("parse: JSON.parse only", () => {
  for (const l of lines) sink = JSON.parse(l)
})
measure("decode: ClaudeEvent.decodeLine (JSON.parse + Schema + event object)", () => {
  for (let i = 0; i < lines.length; i++) sink = ClaudeEvent.decodeLine(lines[i]!, i + 1)
})
const decodeStreamEventFields = Schema.decodeUnknownEither(Schema.Struct(ClaudeEvent.StreamEvent.fields))
const isStreamEventFields = Schema.is(Schema.Struct(ClaudeEvent.StreamEvent.fields))
measure("decode: Schema.decodeUnknownEither(StreamEvent fields) on parsed objects", () => {
  for (const o of parsed) if (o.type === "stream_event") sink = decodeStreamEventFields(o)
})
measure("decode: Schema.is(StreamEvent fields) on parsed objects (validation, no copy) (sketch)", () => {
  for (const o of parsed) if (o.type === "stream_event") sink = isStreamEventFields(o)
})
const proto = ClaudeEvent.StreamEvent.prototype
const isStr = (u: unknown) => typeof u === "string"
measure("decode: hand-written check of the text_delta shape + event object (sketch)", () => {
  for (const o of parsed) {
    if (o.type !== "stream_event") continue
    const e = o.event
    if (
      e !== null && typeof e === "object" && e.type === "content_block_delta" && typeof e.index === "number" &&
      e.delta !== null && typeof e.delta === "object" && e.delta.type === "text_delta" && isStr(e.delta.text) &&
      (o.parent_tool_use_id === undefined || o.parent_tool_use_id === null || isStr(o.parent_tool_use_id)) &&
      (o.session_id === undefined || isStr(o.session_id)) && (o.uuid === undefined || isStr(o.uuid)) &&
      (o.api_message_id === undefined || isStr(o.api_message_id))
    ) {
      const ev = Object.create(proto)
      ev.type = "stream_event"
      ev.event = { type: "content_block_delta", index: e.index, delta: { type: "text_delta", text: e.delta.text } }
      ev.parent_tool_use_id = o.parent_tool_use_id
      ev.session_id = o.session_id
      ev.uuid = o.uuid
      ev.api_message_id = o.api_message_id
      ev._tag = "StreamEvent"
      sink = ev
    } else sink = decodeStreamEventFields(o)
  }
})
// --- folding
measure("fold: ClaudeResult.step over decoded events", () => {
  let r = ClaudeResult.empty
  for (const e of decoded) r = ClaudeResult.step(r, e)
  sink = r
})
measure("fold: ClaudeResult.Folder (in place: what fold and the runner use)", () => {
  const folder = new ClaudeResult.Folder()
  for (const e of decoded) folder.add(e)
  sink = folder.result()
})
measure("fold: mutable accumulator, text += delta only (sketch: lower bound)", () => {
  const acc = { text: "", events: 0, sessionId: undefined as string | undefined, cost: 0 }
  for (const e of decoded) {
    acc.events++
    if (e._tag === "StreamEvent" && e.event.type === "content_block_delta" && e.event.delta.type === "text_delta") {
      acc.text += e.event.delta.text
    } else if (e._tag === "Result") {
      acc.sessionId = e.session_id
      acc.cost = e.total_cost_usd
    }
  }
  sink = acc
})
// --- whole in-process pipeline (Effect streams), as the runner composes it
const pipeline = (chunks: Array<Buffer>) =>
  Effect.runPromise(
    Stream.fromChunk(Chunk.unsafeFromArray(chunks)).pipe(
      Stream.rechunk(1), // one chunk per read, as a transport delivers them
      splitLineBytes,
      ClaudeEvent.decodeLines,
      ClaudeResult.fold
    )
  )
await measureAsync(
  "pipeline: Stream split + decodeLines + ClaudeResult.fold, 64 KiB chunks",
  () => pipeline(pipeReads)
)
await measureAsync("pipeline: same, 4 KiB chunks with \\r\\n (PTY)", () => pipeline(ptyReads))
const syncAll = (chunks: Array<Buffer>, fast?: ReturnType<typeof makeDeltaDecoder>) => {
  const s = makeByteLineSplitter(fast)
  const folder = new ClaudeResult.Folder()
  const out: Array<string | ClaudeEvent.StreamEvent> = []
  for (const c of chunks) {
    s.push(c, out)
    for (let i = 0; i < out.length; i++) {
      const line = out[i]!
      if (typeof line !== "string") {
        folder.add(line)
        continue
      }
      const d = ClaudeEvent.decodeLine(line, i)
      if (Either.isRight(d)) folder.add(d.right)
    }
    out.length = 0
  }
  return folder.result()
}
measure(
  "pipeline: the same three stages in one plain loop, 64 KiB chunks (no Effect streams)",
  () => (sink = syncAll(pipeReads))
)
measure("pipeline: the same three stages in one plain loop, 4 KiB chunks (PTY)", () => (sink = syncAll(ptyReads)))
measure(
  "pipeline: the same, delta lines decoded from their bytes (makeDeltaDecoder; what the runner does), 64 KiB chunks",
  () => (sink = syncAll(pipeReads, makeDeltaDecoder()))
)
measure(
  "pipeline: the same, delta lines decoded from their bytes, 4 KiB chunks (PTY)",
  () => (sink = syncAll(ptyReads, makeDeltaDecoder()))
)
/** Each line's end, found once: the rows below time the decoding alone. */
const lineEnds: Array<number> = []
for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, nl + 1)) lineEnds.push(nl)
const decodeEach = (decode: (bytes: Buffer, view: DataView, start: number, end: number) => unknown) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let from = 0
  for (const end of lineEnds) {
    sink = decode(bytes, view, from, end)
    from = end + 1
  }
}
measure(
  "decode: a delta decoder alone on each line's bytes (the delta lines; others fall through)",
  () => decodeEach(makeDeltaDecoder())
)
measure("decode: the same, every line read in full (not compared with the line before)", () => {
  const decoder = new DeltaLineDecoder()
  decodeEach((bytes, view, start, end) => decoder.read(bytes, view, start, end))
})

void sink
console.log(`\nstages: ${lines.length} lines (${(bytes.length / 1048576).toFixed(1)} MiB), median of ${REPS}\n`)
console.log("| stage | CPU ms | ns/line |")
console.log("| --- | ---: | ---: |")
for (const r of results) console.log(`| ${r.stage} | ${r.ms} | ${r.nsPerLine} |`)

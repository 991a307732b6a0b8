// Shared by every contestant: what to run, how to hash the text, and the one JSON summary line
// each contestant prints on stdout when it is done (the driver, run.mjs, reads the last line).
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
/** The fake CLI; BENCH_FAKE overrides. Found from bench/contestants/ and from bench/results/build/. */
export let FAKE
const FAKE_BESIDE = [
  path.resolve(here, "..", "fake-claude-bench.mjs"),
  path.resolve(here, "../..", "fake-claude-bench.mjs")
]

/** The argv our library passes for a text prompt with partial messages (the raw contestants copy it). */
export const FAKE_ARGS = [
  "-p",
  "--output-format",
  "stream-json",
  "--verbose",
  "--include-partial-messages",
  "--",
  "Write a long story"
]

/**
 * "fold": keep the whole text (text += delta), as `ClaudeCode.run` does;
 * "stream": look at each event once and keep nothing that grows with N (hash and length only).
 */
export let CONSUME

/** FNV-1a (32 bit) over UTF-16 code units, continued from `hash`. */
export const FNV_SEED = 0x811c9dc5
export const fnv = (hash, text) => {
  let h = hash
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** ms since this process started (performance.timeOrigin), for time-to-first-event. */
export const sinceStart = () => performance.now()

/**
 * BENCH_REPEAT: how many runs one contestant process makes, one after another (the "warm"
 * scenario: what a run costs in a process that has already made one); 1 otherwise.
 */
export let REPEAT

/**
 * Sets FAKE, CONSUME and REPEAT from the environment: when this module loads, and again in a
 * contestant started from a start-up snapshot (`ours-snapshot.ts`), whose modules were evaluated
 * when the snapshot was built, with the builder's environment.
 */
export const readEnvironment = () => {
  FAKE = process.env.BENCH_FAKE ?? FAKE_BESIDE.find((f) => fs.existsSync(f))
  CONSUME = process.env.BENCH_CONSUME === "stream" ? "stream" : "fold"
  REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1))
}
readEnvironment()

/**
 * Makes REPEAT runs with `once` (one whole run: spawn the fake, consume, fold; resolves with the
 * run's summary fields, see `Tally.summary`), one after another, then prints the last run's summary
 * line with each run's time (`runMs`: from the start of the run until its summary was in hand).
 */
export const main = async (contestant, ready, once) => {
  const runMs = []
  let summary
  for (let i = 0; i < REPEAT; i++) {
    const start = performance.now()
    summary = await once()
    runMs.push(performance.now() - start)
  }
  report({ ...summary, contestant, ready, runMs })
}

/** Prints the summary line. `firstEvent` is `sinceStart()` when the first event arrived. */
export const report = (fields) => {
  const usage = process.resourceUsage()
  const line = JSON.stringify({
    contestant: fields.contestant,
    events: fields.events,
    textLength: fields.textLength,
    textHash: fields.textHash.toString(16).padStart(8, "0"),
    sessionId: fields.sessionId,
    cost: fields.cost,
    readyMs: round(fields.ready),
    firstEventMs: round(fields.firstEvent),
    doneMs: round(sinceStart()),
    cpuUserMs: round(usage.userCPUTime / 1000),
    cpuSystemMs: round(usage.systemCPUTime / 1000),
    maxRssKiB: usage.maxRSS,
    runMs: fields.runMs?.map(round)
  })
  process.stdout.write(line + "\n")
}

const round = (x) => (x === undefined ? null : Math.round(x * 100) / 100)

/**
 * The raw contestants' line splitting, on byte "\n" with no decoding: `push(chunk)` calls
 * `onLine(buffer, start, end)` for each complete line (a line cut between chunks is joined first),
 * `end()` for an unfinished last one.
 */
export const byteLines = (onLine) => {
  let pending = [] // Buffers of an unfinished line
  return {
    push(chunk) {
      let from = 0
      let nl = chunk.indexOf(0x0a)
      while (nl !== -1) {
        if (pending.length === 0) onLine(chunk, from, nl)
        else {
          pending.push(chunk.subarray(from, nl))
          const whole = Buffer.concat(pending)
          pending = []
          onLine(whole, 0, whole.length)
        }
        from = nl + 1
        nl = chunk.indexOf(0x0a, from)
      }
      if (from < chunk.length) pending.push(chunk.subarray(from))
    },
    end() {
      if (pending.length > 0) {
        const whole = Buffer.concat(pending)
        pending = []
        onLine(whole, 0, whole.length)
      }
    }
  }
}

/**
 * node-pty loses the end of a terminal's output: libuv declares EOF after the first short read once
 * the other side is closed, while the kernel may still hold the child's last few KiB. On the
 * socket's "end", the rest is read synchronously from the fd until EIO (or EAGAIN), as effect-pty
 * does. `onBytes` gets a copy of each read, `onError` any other read error.
 */
export const drainAfterEof = (term, onBytes, onError) => {
  term._socket.on("end", () => {
    const buffer = Buffer.allocUnsafe(65536)
    for (;;) {
      let read
      try {
        read = fs.readSync(term._fd, buffer, 0, buffer.length, null)
      } catch (error) {
        if (error.code === "EIO" || error.code === "EAGAIN") return
        return onError(error)
      }
      if (read === 0) return
      onBytes(Buffer.from(buffer.subarray(0, read)))
    }
  })
}

/**
 * What every untyped contestant (raw pipes, raw node-pty, the SDK) keeps of the messages it sees:
 * the event count, the text deltas (folded or hashed, per CONSUME), and the result's session id
 * and cost. One implementation, so the contestants agree by construction.
 */
export class Tally {
  firstEvent = undefined
  events = 0
  text = ""
  hash = FNV_SEED
  textLength = 0
  sessionId = undefined
  cost = undefined

  /** Accounts for one decoded message (a parsed stream-json line or an SDK message). */
  observe(message) {
    if (this.firstEvent === undefined) this.firstEvent = sinceStart()
    this.events++
    if (message.type === "stream_event") {
      const event = message.event
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
        if (CONSUME === "fold") this.text += event.delta.text
        else {
          this.hash = fnv(this.hash, event.delta.text)
          this.textLength += event.delta.text.length
        }
      }
    } else if (message.type === "result") {
      this.sessionId = message.session_id
      this.cost = message.total_cost_usd
    }
  }

  /** The fields of the summary line (see `report`) for what was observed. */
  summary() {
    if (CONSUME === "fold") {
      this.hash = fnv(FNV_SEED, this.text)
      this.textLength = this.text.length
    }
    return {
      events: this.events,
      textLength: this.textLength,
      textHash: this.hash,
      sessionId: this.sessionId,
      cost: this.cost,
      firstEvent: this.firstEvent
    }
  }
}

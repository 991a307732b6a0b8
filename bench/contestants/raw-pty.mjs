// Contestant 2, the practical limit for a pseudo-terminal: node-pty's public API (bytes, no
// decoding in node-pty), split on byte "\n", drop the "\r" the terminal adds, JSON.parse the lines
// that start with "{" (the CLI writes "\x1b[?25h" after its last line), no validation, fold the
// text deltas.
//
// One addition node-pty needs to be correct at all: libuv declares EOF on a terminal after the
// first short read once the other side is closed, while the kernel may still hold the child's
// last few KiB; node-pty then loses them (seen here in about 1 run in 8 at N = 1000: the result
// line arrived cut). On the socket's "end" the rest is read synchronously from the fd until EIO,
// as effect-pty does.
import pty from "node-pty"
import * as fs from "node:fs"
import { FAKE, FAKE_ARGS, sinceStart, Tally } from "./common.mjs"

const ready = sinceStart()
const term = pty.spawn(FAKE, FAKE_ARGS, {
  name: "xterm",
  cols: 80,
  rows: 24,
  cwd: process.cwd(),
  env: process.env,
  encoding: null
})
const tally = new Tally()
let pending = [] // Buffers of an unfinished line

const onLine = (buffer, start, end) => {
  if (end > start && buffer[end - 1] === 0x0d) end--
  if (end === start || buffer[start] !== 0x7b) return
  const object = JSON.parse(buffer.toString("utf8", start, end))
  tally.observe(object)
}

const onChunk = (chunk) => {
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
}

term.onData(onChunk)
term._socket.on("end", () => {
  const buffer = Buffer.allocUnsafe(65536)
  for (;;) {
    let read
    try {
      read = fs.readSync(term._fd, buffer, 0, buffer.length, null)
    } catch (error) {
      if (error.code === "EIO" || error.code === "EAGAIN") break
      throw error
    }
    if (read === 0) break
    onChunk(Buffer.from(buffer.subarray(0, read)))
  }
})
term.onExit(({ exitCode }) => {
  if (pending.length > 0) {
    const whole = Buffer.concat(pending)
    onLine(whole, 0, whole.length)
  }
  if (exitCode !== 0) throw new Error(`fake exited with ${exitCode}`)
  tally.report("raw-pty", ready)
  process.exit(0)
})

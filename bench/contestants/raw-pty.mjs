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
import { byteLines, drainAfterEof, FAKE, FAKE_ARGS, main, sinceStart, Tally } from "./common.mjs"

const ready = sinceStart()

const once = () =>
  new Promise((resolve, reject) => {
    const term = pty.spawn(FAKE, FAKE_ARGS, {
      name: "xterm",
      cols: 80,
      rows: 24,
      cwd: process.cwd(),
      env: process.env,
      encoding: null
    })
    const tally = new Tally()
    const lines = byteLines((buffer, start, end) => {
      if (end > start && buffer[end - 1] === 0x0d) end--
      if (end === start || buffer[start] !== 0x7b) return
      tally.observe(JSON.parse(buffer.toString("utf8", start, end)))
    })
    const onChunk = (chunk) => lines.push(chunk)
    term.onData(onChunk)
    drainAfterEof(term, onChunk, reject)
    term.onExit(({ exitCode }) => {
      lines.end()
      if (exitCode !== 0) reject(new Error(`fake exited with ${exitCode}`))
      else resolve(tally.summary())
    })
  })

await main("raw-pty", ready, once)
process.exit(0)

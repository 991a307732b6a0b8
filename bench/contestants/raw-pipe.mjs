// Contestant 1, the practical limit over pipes: child_process, split on byte "\n", JSON.parse, no
// validation, fold the text deltas.
import { spawn } from "node:child_process"
import { FAKE, FAKE_ARGS, sinceStart, Tally } from "./common.mjs"

const ready = sinceStart()
const child = spawn(FAKE, FAKE_ARGS, { stdio: ["ignore", "pipe", "inherit"] })
const tally = new Tally()
let pending = [] // Buffers of an unfinished line

const onLine = (buffer, start, end) => {
  if (end > start && buffer[end - 1] === 0x0d) end-- // tolerate \r\n
  if (end === start) return
  const object = JSON.parse(buffer.toString("utf8", start, end))
  tally.observe(object)
}

child.stdout.on("data", (chunk) => {
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
})
child.on("close", (code) => {
  if (pending.length > 0) {
    const whole = Buffer.concat(pending)
    onLine(whole, 0, whole.length)
  }
  if (code !== 0) throw new Error(`fake exited with ${code}`)
  tally.report("raw-pipe", ready)
})

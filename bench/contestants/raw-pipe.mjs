// Contestant 1, the practical limit over pipes: child_process, split on byte "\n", JSON.parse, no
// validation, fold the text deltas.
import { spawn } from "node:child_process"
import { byteLines, FAKE, FAKE_ARGS, main, sinceStart, Tally } from "./common.mjs"

const ready = sinceStart()

const once = () =>
  new Promise((resolve, reject) => {
    const child = spawn(FAKE, FAKE_ARGS, { stdio: ["ignore", "pipe", "inherit"] })
    const tally = new Tally()
    const lines = byteLines((buffer, start, end) => {
      if (end > start && buffer[end - 1] === 0x0d) end-- // tolerate \r\n
      if (end === start) return
      tally.observe(JSON.parse(buffer.toString("utf8", start, end)))
    })
    child.stdout.on("data", (chunk) => lines.push(chunk))
    child.on("close", (code) => {
      lines.end()
      if (code !== 0) reject(new Error(`fake exited with ${code}`))
      else resolve(tally.summary())
    })
  })

await main("raw-pipe", ready, once)

// Contestant 3, the official TypeScript Agent SDK (@anthropic-ai/claude-agent-sdk): `query()` with
// `includePartialMessages`, the fake as `pathToClaudeCodeExecutable` (a .mjs path, so the SDK runs
// it with `node`), folding the text deltas of the `stream_event` messages it yields.
import { query } from "@anthropic-ai/claude-agent-sdk"
import { CONSUME, FAKE, FNV_SEED, fnv, report, sinceStart } from "./common.mjs"

const ready = sinceStart()
let firstEvent
let events = 0
let text = ""
let hash = FNV_SEED
let textLength = 0
let sessionId
let cost
for await (
  const message of query({
    prompt: "Write a long story",
    options: { pathToClaudeCodeExecutable: FAKE, includePartialMessages: true, env: process.env }
  })
) {
  if (firstEvent === undefined) firstEvent = sinceStart()
  events++
  if (message.type === "stream_event") {
    const event = message.event
    if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
      if (CONSUME === "fold") text += event.delta.text
      else {
        hash = fnv(hash, event.delta.text)
        textLength += event.delta.text.length
      }
    }
  } else if (message.type === "result") {
    sessionId = message.session_id
    cost = message.total_cost_usd
  }
}
if (CONSUME === "fold") {
  hash = fnv(FNV_SEED, text)
  textLength = text.length
}
report({ contestant: "sdk", events, textLength, textHash: hash, sessionId, cost, ready, firstEvent })

// Contestant 3, the official TypeScript Agent SDK (@anthropic-ai/claude-agent-sdk): `query()` with
// `includePartialMessages`, the fake as `pathToClaudeCodeExecutable` (a .mjs path, so the SDK runs
// it with `node`), folding the text deltas of the `stream_event` messages it yields.
import { query } from "@anthropic-ai/claude-agent-sdk"
import { FAKE, main, sinceStart, Tally } from "./common.mjs"

const ready = sinceStart()

const once = async () => {
  const tally = new Tally()
  for await (
    const message of query({
      prompt: "Write a long story",
      options: { pathToClaudeCodeExecutable: FAKE, includePartialMessages: true, env: process.env }
    })
  ) {
    tally.observe(message)
  }
  return tally.summary()
}

await main("sdk", ready, once)

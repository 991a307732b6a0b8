/**
 * The first example: ask Claude Code to do something, print the answer token by token as it
 * arrives, then print what the run amounts to (the folded `ClaudeResult`).
 *
 *   npm run example              # no account needed: a local stand-in model answers
 *   npm run example -- --real    # the real Claude (also when ANTHROPIC_API_KEY is set)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Stream } from "effect"
import { ClaudeCode, type ClaudeEvent, ClaudeResult } from "effect-claude-code"
import * as Backend from "./_backend.js"

const prompt = "Run `echo hello` with the Bash tool, then tell me a very short story about what it printed."

/** What to print for an event: the text a token adds (a `StreamEvent`), or a message's tool calls. */
const show = (event: ClaudeEvent.ClaudeEvent): string => {
  if (event._tag === "StreamEvent" && event.event.type === "content_block_delta") {
    return event.event.delta.type === "text_delta" ? event.event.delta.text : ""
  }
  if (event._tag === "Assistant") {
    const calls = event.message.content.flatMap((block) => block.type === "tool_use" ? [block] : [])
    return calls.map((call) => `\n[${call.name}] ${JSON.stringify(call.input)}\n`).join("")
  }
  return ""
}

const program = Effect.gen(function*() {
  const events = ClaudeCode.stream(prompt, {
    includePartialMessages: true, // emit the answer's tokens as they are generated
    allowedTools: ["Bash(echo:*)"] // let Claude run `echo` without asking for permission
  })

  // Print every token as it arrives, and fold all the events into the run's result meanwhile.
  const result = yield* events.pipe(
    Stream.tap((event) => Effect.sync(() => process.stdout.write(show(event)))),
    ClaudeResult.fold
  )

  const toolCalls = result.toolCalls.map((call) =>
    `${call.name} ${JSON.stringify(call.input)} -> ${JSON.stringify(call.result?.content)}`
  )
  yield* Console.log(`

--- result ---
text:       ${result.text}
session id: ${result.sessionId}
model:      ${result.model}
cost:       $${result.costUsd.toFixed(6)}
tokens:     ${result.usage.inputTokens} in, ${result.usage.outputTokens} out
duration:   ${result.durationMs} ms (${result.numTurns} model turns)
tool calls: ${toolCalls.join("\n            ")}`)
})

// The backend (a local stand-in model, or the real Claude) provides the ClaudeCode service.
// runMain reports errors, sets the exit code, and on Ctrl-C interrupts the run (stopping the CLI).
program.pipe(Effect.provide(Backend.layer), NodeRuntime.runMain)

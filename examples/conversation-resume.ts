/**
 * A conversation across runs: the first run starts a session, the second resumes it by id
 * (`resume`) and its answer depends on the first. A third run without `resume` starts afresh
 * and knows nothing. (`Session.make` does this bookkeeping for you; see conversation.ts.)
 *
 *   npx tsx examples/conversation-resume.ts            # a local stand-in model answers
 *   npx tsx examples/conversation-resume.ts --real     # the real Claude
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { ClaudeCode } from "effect-claude-code"
import * as Backend from "./_backend.js"

const program = Effect.gen(function*() {
  const first = yield* ClaudeCode.run("My favourite colour is green. Please remember it, and answer in one sentence.")
  yield* Console.log(`turn 1 (session ${first.sessionId}): ${first.text}`)

  // The CLI saved the session (in ~/.claude/projects/, per working directory): continue it by id.
  const second = yield* ClaudeCode.run("What is my favourite colour?", { resume: first.sessionId })
  yield* Console.log(`turn 2 (session ${second.sessionId}): ${second.text}`)

  // Without `resume`, a new session with no memory of the others.
  const fresh = yield* ClaudeCode.run("What is my favourite colour?")
  yield* Console.log(`new session (${fresh.sessionId}): ${fresh.text}`)
})

program.pipe(Effect.provide(Backend.layer), NodeRuntime.runMain)

/**
 * An interactive chat in the terminal over a `Session`: every line you type is a turn of the same
 * conversation; the answer streams in as it is written, followed by the turn's cost and tokens.
 * Ctrl-C during an answer cancels that turn only (the session goes on, and remembers it); Ctrl-C
 * at the prompt, Ctrl-D or "exit" ends the chat. Lines can also be piped in.
 *
 *   npx tsx examples/conversation.ts                # a local stand-in model answers
 *   npx tsx examples/conversation.ts --streaming    # one long-lived CLI process for all turns
 *   npx tsx examples/conversation.ts --real         # the real Claude
 *   printf 'my name is Ada\nwhat is my name?\n' | npx tsx examples/conversation.ts
 *
 * Try "my name is Ada" then "what is my name?", or "tell me a story slowly" and Ctrl-C.
 */
import { Cause, Console, Effect, Exit, Fiber, Option, Queue, Stream } from "effect"
import { type ClaudeEvent, ClaudeResult, Session } from "effect-claude-code"
import * as Readline from "node:readline"
import * as Backend from "./_backend.js"

const streaming = process.argv.includes("--streaming")
const interactive = process.stdin.isTTY === true

const write = (text: string) => Effect.sync(() => process.stdout.write(text))

/** The text a token adds to the answer (`StreamEvent`s come with `includePartialMessages`). */
const textDelta = (event: ClaudeEvent.ClaudeEvent): string =>
  event._tag === "StreamEvent" && event.event.type === "content_block_delta" &&
    event.event.delta.type === "text_delta"
    ? event.event.delta.text
    : ""

/**
 * The terminal as two queues: the lines typed (`None` once the input ends: Ctrl-D, or the end
 * of piped input) and the Ctrl-Cs (a keypress on a terminal, a SIGINT signal otherwise).
 */
const terminal = Effect.gen(function*() {
  const lines = yield* Queue.unbounded<Option.Option<string>>()
  const interrupts = yield* Queue.sliding<void>(1)
  let closed = false
  const readline = yield* Effect.acquireRelease(
    Effect.sync(() =>
      Readline.createInterface({ input: process.stdin, output: process.stdout, terminal: interactive })
    ),
    (readline) => Effect.sync(() => readline.close())
  )
  readline.setPrompt("you> ")
  const onLine = (line: string) => Queue.unsafeOffer(lines, Option.some(line))
  const onClose = () => {
    closed = true
    Queue.unsafeOffer(lines, Option.none())
  }
  const onInterrupt = () => Queue.unsafeOffer(interrupts, undefined)
  readline.on("line", onLine).on("close", onClose).on("SIGINT", onInterrupt)
  process.on("SIGINT", onInterrupt)
  yield* Effect.addFinalizer(() => Effect.sync(() => process.off("SIGINT", onInterrupt)))

  return {
    /** Shows the prompt and waits for a line; `None` when the input ended or Ctrl-C was pressed. */
    ask: Effect.gen(function*() {
      yield* Queue.takeAll(interrupts) // a Ctrl-C from before the prompt does not count
      yield* Effect.sync(() => interactive && !closed ? readline.prompt() : process.stdout.write("you> "))
      const line = yield* Effect.raceFirst(Queue.take(lines), Effect.as(Queue.take(interrupts), Option.none()))
      if (!interactive && Option.isSome(line)) yield* Console.log(line.value) // echo piped input
      return line
    }),
    /** Completes at the next Ctrl-C. */
    interrupted: Queue.take(interrupts)
  }
})

const program = Effect.gen(function*() {
  const term = yield* terminal
  const session = yield* (streaming ? Session.makeStreaming : Session.make)({ includePartialMessages: true })
  yield* Console.log(
    `Chatting with Claude (${streaming ? "one streaming CLI process" : "a CLI process per turn"}). ` +
      `Ctrl-C cancels an answer; Ctrl-C at the prompt, Ctrl-D or "exit" ends the chat.`
  )

  let spent = 0 // the session's cost so far: the CLI reports running totals, so a turn costs the difference
  while (true) {
    const line = yield* term.ask
    if (Option.isNone(line)) {
      yield* Console.log("") // Ctrl-C or Ctrl-D at the prompt
      break
    }
    if (line.value.trim() === "exit") break
    const prompt = line.value.trim()
    if (prompt === "") continue

    // The turn runs in its own fiber, printing tokens as they come and folding them into the
    // turn's result; a Ctrl-C interrupts that fiber, which stops the turn but not the session.
    yield* write("claude> ")
    const turn = yield* session.send(prompt).pipe(
      Stream.tap((event) => write(textDelta(event))),
      ClaudeResult.fold,
      Effect.fork
    )
    const finished = yield* Effect.raceFirst(
      Effect.map(Fiber.await(turn), Option.some),
      Effect.as(term.interrupted, Option.none())
    )
    if (Option.isNone(finished)) {
      yield* Fiber.interrupt(turn)
      yield* Console.log("\n[turn cancelled]")
    } else if (Exit.isSuccess(finished.value)) {
      const result = finished.value.value
      const cost = result.costUsd >= spent ? result.costUsd - spent : result.costUsd
      spent = result.costUsd
      yield* Console.log(
        `\n  [turn: $${cost.toFixed(6)}, ${result.usage.inputTokens} input / ${result.usage.outputTokens} output ` +
          `tokens, ${(result.durationMs / 1000).toFixed(1)} s; session: $${spent.toFixed(6)}]`
      )
    } else {
      const error = Cause.squash(finished.value.cause)
      yield* Console.log(`\n[turn failed: ${error instanceof Error ? error.message : String(error)}]`)
    }
  }
  yield* Console.log("bye")
})

// Not NodeRuntime.runMain: it ends the whole program at the first SIGINT, and here Ctrl-C only
// cancels a turn. SIGTERM still ends the chat (interrupting it closes the session's CLI process).
const main = Effect.runFork(program.pipe(Effect.provide(Backend.layer), Effect.scoped))
const stop = () => main.unsafeInterruptAsFork(main.id())
process.once("SIGTERM", stop)
main.addObserver((exit) => {
  process.off("SIGTERM", stop)
  if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) {
    console.error(Cause.pretty(exit.cause))
    process.exitCode = 1
  }
})

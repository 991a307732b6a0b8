/**
 * The entry point of the `effect-claude-code` command (see `bin/effect-claude-code.mjs`).
 *
 * SIGINT and SIGTERM abort a signal that cancels the run gracefully. `NodeRuntime.runMain` also
 * reacts to them by interrupting the main fiber, which would stop the run abruptly, before it
 * printed what it produced; so the run goes on in its own fiber and the main fiber waits for it
 * without being interruptible.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Cli from "./Cli.js"
import * as ExitCode from "./ExitCode.js"

const cancel = new AbortController()
const onSignal = () => cancel.abort()
process.on("SIGINT", onSignal)
process.on("SIGTERM", onSignal)
// A closed stdout (`| head`) fails the pending write, which the run handles; without a listener
// Node would also throw the stream's "error" event.
process.stdout.on("error", () => {})
process.stderr.on("error", () => {})

let code: ExitCode.ExitCode | undefined

const main = Effect.forkDaemon(
  Effect.interruptible(Cli.run(process.argv, { signal: cancel.signal }).pipe(Effect.provide(NodeContext.layer)))
).pipe(
  Effect.flatMap(Fiber.join),
  Effect.tap((exitCode) => {
    code = exitCode
  }),
  Effect.uninterruptible
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    const exitCode = code ?? (Exit.isInterrupted(exit) ? ExitCode.Cancelled : ExitCode.Internal)
    // Writes queue in order: once these empty ones are done, everything before them is flushed.
    process.stdout.write("", () =>
      process.stderr.write("", () => {
        onExit(exitCode)
        process.exit(exitCode)
      }))
  }
})

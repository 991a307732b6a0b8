/**
 * Spawns a shell on a pseudo-terminal, prints what it writes and how it exited.
 *
 *   npx tsx examples/pty-echo.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Stream } from "effect"
import { PtyProcess } from "effect-pty"

const program = Effect.scoped(
  Effect.gen(function*() {
    const proc = yield* PtyProcess.spawn({
      command: "sh",
      args: ["-c", "echo hello from a pty; tty; stty size"],
      cols: 100,
      rows: 30
    })
    yield* Console.log(`spawned pid ${proc.pid}`)
    yield* proc.output.pipe(Stream.runForEach((text) => Effect.sync(() => process.stdout.write(text))))
    const status = yield* proc.exitStatus
    yield* Console.log(`exited: code ${status.exitCode}, signal ${status.signal}`)
  })
)

// runMain interrupts the program on Ctrl-C: the scope closes and the child is shut down.
NodeRuntime.runMain(program)

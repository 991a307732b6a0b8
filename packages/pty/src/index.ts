/**
 * effect-pty: a child process on a pseudo-terminal as a scoped Effect resource (node-pty
 * underneath), with its output as a `Stream`, bounded buffering and a bounded shutdown
 * escalation that leaves no process behind.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { PtyProcess } from "effect-pty"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const proc = yield* PtyProcess.spawn({ command: "ls", args: ["--color=auto"] })
 *     return yield* Stream.mkString(proc.output) // colored: ls sees a terminal
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 */

/**
 * A child process on a pseudo-terminal, as a scoped Effect resource.
 *
 * @since 0.1.0
 */
export * as PtyProcess from "./PtyProcess.js"

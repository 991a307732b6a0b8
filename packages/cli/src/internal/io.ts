import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { useColour } from "./terminal.js"

/**
 * Writing to stdout or stderr failed, typically `EPIPE`: the reader went away (`| head`).
 *
 * @internal
 */
export class OutputClosed extends Schema.TaggedError<OutputClosed>("effect-claude-code-cli/OutputClosed")(
  "OutputClosed",
  { stream: Schema.Literal("stdout", "stderr"), cause: Schema.Defect }
) {
  override get message(): string {
    return `Writing to ${this.stream} failed: ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
  }
}

/**
 * Reading the prompt from stdin failed.
 *
 * @internal
 */
export class StdinError extends Schema.TaggedError<StdinError>("effect-claude-code-cli/StdinError")("StdinError", {
  cause: Schema.Defect
}) {
  override get message(): string {
    const why = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `Reading the prompt from stdin failed (${why}): pipe the prompt in, or pass it as an argument.`
  }
}

const write = (name: "stdout" | "stderr", text: string): Effect.Effect<void, OutputClosed> =>
  text.length === 0
    ? Effect.void
    : Effect.async<void, OutputClosed>((resume) => {
      const stream = name === "stdout" ? process.stdout : process.stderr
      // The callback runs once the data is handed to the OS: awaiting it gives backpressure and
      // guarantees nothing is lost when the process exits right after.
      stream.write(text, (error) =>
        resume(
          error === null || error === undefined
            ? Effect.void
            : Effect.fail(new OutputClosed({ stream: name, cause: error }))
        ))
    })

/** Writes text to stdout and waits until it is flushed. @internal */
export const stdout = (text: string): Effect.Effect<void, OutputClosed> => write("stdout", text)

/** Writes text to stderr and waits until it is flushed; a closed stderr is ignored. @internal */
export const stderr = (text: string): Effect.Effect<void> => Effect.ignore(write("stderr", text))

/**
 * Reads all of stdin as UTF-8. Decoding happens once over the whole input, so a multi-byte
 * character split across chunks arrives intact.
 *
 * @internal
 */
export const readStdin: Effect.Effect<string, StdinError> = Effect.async<string, StdinError>((resume) => {
  const input = process.stdin
  const chunks: Array<Buffer> = []
  const onData = (chunk: Buffer | string) => {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk)
  }
  const cleanup = () => {
    input.off("data", onData)
    input.off("end", onEnd)
    input.off("error", onError)
  }
  const onEnd = () => {
    cleanup()
    resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
  }
  const onError = (cause: unknown) => {
    cleanup()
    resume(Effect.fail(new StdinError({ cause })))
  }
  input.on("data", onData)
  input.once("end", onEnd)
  input.once("error", onError)
  return Effect.sync(() => {
    cleanup()
    input.pause()
    input.destroy()
  })
})

const ansi = /\u001b\[[0-9;]*m/g

const plain = (stream: NodeJS.WriteStream): boolean => !useColour(process.env, stream.isTTY === true)

/**
 * Runs `effect` with a `Console` for `@effect/cli`: `log` (help, version) drops ANSI styling when
 * stdout is not a terminal or `NO_COLOR` is set; `error` (usage errors, which `@effect/cli` prints
 * before failing with them) prints nothing, as the caller reports the failure itself, as one line.
 *
 * @internal
 */
export const withPlainConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((console) =>
    Console.withConsole(effect, {
      ...console,
      log: (...args: ReadonlyArray<unknown>) => Effect.ignore(stdout(format(args, plain(process.stdout)))),
      error: () => Effect.void
    })
  )

const format = (args: ReadonlyArray<unknown>, strip: boolean): string => {
  const text = args.map((arg) => (typeof arg === "string" ? arg : String(arg))).join(" ") + "\n"
  return strip ? text.replace(ansi, "") : text
}

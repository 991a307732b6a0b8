// Not a library: the floor for any Effect program that reads the CLI as a Stream through
// @effect/platform's command executor (what our pipe transport is required to use). It imports
// only what that needs (Effect, Stream, the executor), splits on byte "\n" and JSON.parses each
// line (no validation, no Schema, no line cleaning, no process supervision), emits the parsed
// objects as a Stream, and folds them with the same Tally as the raw contestants. Whatever it costs
// over raw pipes (start-up, the Stream machinery, V8's heap growth) no Effect-based reader avoids;
// our pipe transport's distance from it is what the library itself costs.
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Command from "@effect/platform/Command"
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { byteLines, FAKE, FAKE_ARGS, main, sinceStart, Tally } from "./common.mjs"

const ready = sinceStart()

const program = (tally: Tally) =>
  Effect.gen(function*() {
    const executor = yield* CommandExecutor.CommandExecutor
    const proc = yield* executor.start(Command.make(FAKE!, ...FAKE_ARGS))
    let parsed: Array<unknown> = []
    const lines = byteLines((buffer: Buffer, start: number, end: number) => {
      if (end > start && buffer[end - 1] === 0x0d) end--
      if (end > start) parsed.push(JSON.parse(buffer.toString("utf8", start, end)))
    })
    const take = () => {
      const out = parsed
      parsed = []
      return Chunk.unsafeFromArray(out)
    }
    const messages = proc.stdout.pipe(
      Stream.mapChunks((reads) => {
        for (const bytes of reads) lines.push(bytes)
        return take()
      }),
      Stream.concat(Stream.suspend(() => {
        lines.end()
        return Stream.fromChunk(take())
      }))
    )
    yield* Stream.runForEachChunk(messages, (chunk) =>
      Effect.sync(() => {
        for (const message of chunk) tally.observe(message)
      }))
    const code = yield* proc.exitCode
    if (code !== 0) return yield* Effect.dieMessage(`fake exited with ${code}`)
  })

const layer = NodeCommandExecutor.layer.pipe(Layer.provide(NodeFileSystem.layer))

const once = () => {
  const tally = new Tally()
  return Effect.runPromise(program(tally).pipe(Effect.scoped, Effect.provide(layer))).then(() => tally.summary())
}

await main("effect-floor", ready, once)

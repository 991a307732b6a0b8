/**
 * Where the examples send their prompts (shared by every example; not an example itself).
 *
 * - By default, with no account and no network: a loopback stand-in for the Anthropic API
 *   (`ModelServer` from `effect-claude-code/testing`) answers the real, pinned `claude` CLI from
 *   `node_modules`. Its replies are scripted below: a story streamed in small pieces, a Bash
 *   `echo hello` round trip, sums, a memory of "my X is Y" facts, and a slow story for the
 *   cancellation examples.
 * - With `ANTHROPIC_API_KEY` set, `--real` on the command line or `EXAMPLE_BACKEND=real`: the real
 *   Claude, through `claude` on `PATH` (else the one in `node_modules`) and your environment
 *   (API key or `claude /login`). `EXAMPLE_BACKEND=loopback` forces the stand-in.
 *
 * Either way the examples only see the `ClaudeCode` service, provided by {@link layer}; the CLI
 * works in a fresh empty directory, so nothing an example asks can touch your files.
 */
import { Effect, Layer } from "effect"
import { ClaudeCode } from "effect-claude-code"
import { ClaudeEnv, ModelServer } from "effect-claude-code/testing"
import * as Fs from "node:fs"
import * as Path from "node:path"

/** Whether the examples talk to the real Claude. */
export const isReal: boolean = process.env.EXAMPLE_BACKEND === "real" ||
  (process.env.EXAMPLE_BACKEND !== "loopback" &&
    (process.argv.includes("--real") || (process.env.ANTHROPIC_API_KEY ?? "") !== ""))

// -----------------------------------------------------------------------------
// The loopback model's script
// -----------------------------------------------------------------------------

const story = "Once upon a time, a tiny program asked a terminal to say hello. " +
  "The terminal, delighted to be asked so politely, printed the word in its best font. " +
  "Word spread through the file system, and soon every directory wanted a greeting of its own. " +
  "By nightfall the whole disk was humming, and the little program went to sleep, content."

/** The texts a message holds, without the CLI's `<system-reminder>` blocks. */
const textsOf = (message: ModelServer.MessageParam): Array<string> =>
  typeof message.content === "string"
    ? [message.content]
    : message.content.flatMap((block) =>
      block.type === "text" && typeof block.text === "string" && !block.text.startsWith("<system-reminder>")
        ? [block.text]
        : []
    )

/** "my X is Y" facts the user stated in earlier turns of the conversation, the newest last. */
const factsOf = (request: ModelServer.MessagesRequest): Map<string, string> => {
  const facts = new Map<string, string>()
  const earlier = request.messages.filter((message) => message.role === "user" && message !== request.lastUserMessage)
  for (const text of earlier.flatMap(textsOf)) {
    for (const match of text.matchAll(/\bmy ([a-z ]+?) is ([^.,!?\n]+)/gi)) {
      facts.set(match[1]!.toLowerCase(), match[2]!.trim())
    }
  }
  return facts
}

const arithmetic = (prompt: string): string | undefined => {
  const match = /(-?\d+(?:\.\d+)?)\s*([-+*/x×])\s*(-?\d+(?:\.\d+)?)/.exec(prompt)
  if (match === null) return undefined
  const a = Number(match[1])
  const b = Number(match[3])
  const op = match[2]!
  const value = op === "+" ? a + b : op === "-" ? a - b : op === "/" ? a / b : a * b
  return `${match[1]} ${op} ${match[3]} = ${Number.isInteger(value) ? value : value.toFixed(3)}.`
}

/** One reply per model request, from the prompt (and, for the memory, the earlier turns). */
const script: ModelServer.Script = (request) => {
  const prompt = request.text
  const streamed = { chunkSize: 6, delay: "15 millis" } as const
  if (request.toolResults.length > 0) {
    const output = request.toolResults.map((result) => result.content.trim()).join(" ")
    return ModelServer.text(
      `The command printed "${output}". Here is a very short story about it: a shy word, "${output}", ` +
        "waited all day in a shell script until someone finally ran it, and the whole terminal smiled.",
      streamed
    )
  }
  if (/echo hello/i.test(prompt)) {
    return ModelServer.toolUse("Bash", { command: "echo hello", description: "Print hello" }, {
      text: "I'll run that for you."
    })
  }
  if (/slowly/i.test(prompt)) {
    return ModelServer.slow(ModelServer.text(story + " " + story, { chunkSize: 4 }), "120 millis")
  }
  if (/\b(continue|finish)\b/i.test(prompt)) {
    const earlier = request.messages.filter((message) => message.role === "user").length - 1
    return ModelServer.text(
      `Picking up where we left off (I can see ${earlier} earlier message${earlier === 1 ? "" : "s"} ` +
        "in this session): ...and the little program went to sleep, content. The end.",
      streamed
    )
  }
  if (/story/i.test(prompt)) return ModelServer.text(story, streamed)
  if (/haiku/i.test(prompt)) {
    const haiku = "Streams flow, fibers wait;\na typed error, caught in time;\nthe scope closes clean."
    return ModelServer.text(haiku, streamed)
  }
  const sum = arithmetic(prompt)
  if (sum !== undefined) return ModelServer.text(sum, streamed)
  const question = /\bwhat(?:'s| is) my ([a-z ]+?)\s*\??$/i.exec(prompt.trim())
  if (question !== null) {
    const key = question[1]!.toLowerCase()
    const value = factsOf(request).get(key)
    return ModelServer.text(
      value === undefined
        ? `I don't know your ${key} yet: tell me with "my ${key} is ...".`
        : `Your ${key} is ${value}.`,
      streamed
    )
  }
  const fact = /\bmy ([a-z ]+?) is ([^.,!?\n]+)/i.exec(prompt)
  if (fact !== null) {
    const [key, value] = [fact[1]!.toLowerCase(), fact[2]!.trim()]
    return ModelServer.text(`Got it: your ${key} is ${value}. I'll remember that.`, streamed)
  }
  return ModelServer.text(`Hello from the loopback model server. You said: ${prompt}`, streamed)
}

// -----------------------------------------------------------------------------
// The layer
// -----------------------------------------------------------------------------

/** `name` found in a `PATH` directory as an executable file, if any. */
const onPath = (name: string): string | undefined =>
  (process.env.PATH ?? "").split(Path.delimiter).filter((dir) => dir !== "").map((dir) => Path.join(dir, name)).find(
    (file) => {
      try {
        Fs.accessSync(file, Fs.constants.X_OK)
        return Fs.statSync(file).isFile()
      } catch {
        return false
      }
    }
  )

const real = Effect.gen(function*() {
  const executable = onPath("claude") ?? (yield* ClaudeEnv.resolveExecutable)
  const cwd = yield* ClaudeEnv.tempDirectory("claude-example-")
  yield* Effect.sync(() => console.error(`[backend] the real Claude, via ${executable}, working in ${cwd}`))
  return ClaudeCode.layer({ executable, cwd })
})

const loopback = Effect.gen(function*() {
  const server = yield* ModelServer.make({ script })
  const claude = yield* ClaudeEnv.make(server)
  const cwd = yield* ClaudeEnv.tempDirectory("claude-example-")
  yield* Effect.sync(() =>
    console.error(
      `[backend] loopback model server at ${server.url} (no account needed; ` +
        "set ANTHROPIC_API_KEY or pass --real for the real Claude)"
    )
  )
  return ClaudeCode.layer({ executable: claude.executable, env: claude.env, cwd })
})

/**
 * The `ClaudeCode` service the examples use. The loopback server, the scratch directory and the
 * throw-away `HOME` live as long as the layer and are removed when the program ends.
 */
export const layer: Layer.Layer<ClaudeCode.ClaudeCode, ModelServer.ModelServerError> = Layer.unwrapScoped(
  isReal ? real : loopback
)

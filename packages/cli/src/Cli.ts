/**
 * The `effect-claude-code` command: run one prompt through Claude Code and print the answer as
 * text, as stream-json events, or as the folded result.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import type { ClaudeCode } from "effect-claude-code"
import * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { createRequire } from "node:module"
import * as Path from "node:path"
import * as ExitCode from "./ExitCode.js"
import { flags, helpText } from "./internal/help.js"
import * as Io from "./internal/io.js"
import { errorLine, NAME, splitTools } from "./internal/render.js"
import { style, useColour } from "./internal/terminal.js"

/**
 * The command's version (from its `package.json`).
 *
 * @example
 * ```ts
 * import { Cli } from "effect-claude-code-cli"
 *
 * console.log(`effect-claude-code ${Cli.version}`)
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const version: string = (createRequire(import.meta.url)("../package.json") as { version: string }).version

/**
 * What the handler needs beyond the parsed flags, provided by {@link run}: the signal that cancels
 * a run gracefully (the CLI gets SIGINT and saves its session; the `main` entry point aborts it on
 * SIGINT / SIGTERM), and the arguments after the `--` separator.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Cli } from "effect-claude-code-cli"
 *
 * // what Cli.run provides; a handler reads it like any service
 * const cancelled = Effect.map(Cli.Invocation, ({ signal }) => signal.aborted)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Invocation extends Context.Tag("effect-claude-code-cli/Invocation")<Invocation, {
  readonly signal: AbortSignal
  readonly afterSeparator: ReadonlyArray<string>
}>() {}

/**
 * Ends the command with a non-zero exit code once everything has been printed.
 *
 * @example
 * ```ts
 * import { Cli, ExitCode } from "effect-claude-code-cli"
 *
 * const exit = new Cli.CommandExit({ code: ExitCode.Usage })
 * assert.strictEqual(exit.message, "exit code 2")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class CommandExit extends Schema.TaggedError<CommandExit>("effect-claude-code-cli/CommandExit")("CommandExit", {
  code: Schema.Number
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `exit code ${this.code}`
  }
}

const permissionModes = [
  "default",
  "acceptEdits",
  "auto",
  "bypassPermissions",
  "manual",
  "dontAsk",
  "plan"
] as const satisfies ReadonlyArray<ClaudeCode.PermissionMode>

const positive = (flag: string, integer: boolean) => (value: number) =>
  Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value))
    ? Effect.succeed(value)
    : Effect.fail(ValidationError.invalidValue(HelpDoc.p(
      `${flag} must be a positive ${integer ? "whole " : ""}number, got ${value}`
    )))

const config = {
  claude: Options.text("claude").pipe(
    Options.withPseudoName("PATH"),
    Options.withDescription(flags.claude.text),
    Options.optional
  ),
  cwd: Options.directory("cwd").pipe(
    Options.withPseudoName("DIR"),
    Options.withDescription(flags.cwd.text),
    Options.optional
  ),
  model: Options.text("model").pipe(
    Options.withPseudoName("MODEL"),
    Options.withDescription(flags.model.text),
    Options.optional
  ),
  resume: Options.text("resume").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription(flags.resume.text),
    Options.optional
  ),
  continue: Options.boolean("continue").pipe(
    Options.withDescription(flags.continue.text)
  ),
  forkSession: Options.boolean("fork-session").pipe(
    Options.withDescription(flags.forkSession.text)
  ),
  sessionId: Options.text("session-id").pipe(
    Options.withPseudoName("UUID"),
    Options.withDescription(flags.sessionId.text),
    Options.optional
  ),
  partial: Options.boolean("partial").pipe(
    Options.withDescription(flags.partial.text)
  ),
  maxTurns: Options.integer("max-turns").pipe(
    Options.withPseudoName("N"),
    Options.mapEffect(positive("--max-turns", true)),
    Options.withDescription(flags.maxTurns.text),
    Options.optional
  ),
  permissionMode: Options.choice("permission-mode", permissionModes).pipe(
    Options.withDescription(flags.permissionMode.text),
    Options.optional
  ),
  allowedTools: Options.text("allowed-tools").pipe(
    Options.withPseudoName("TOOLS"),
    Options.repeated,
    Options.withDescription(flags.allowedTools.text)
  ),
  disallowedTools: Options.text("disallowed-tools").pipe(
    Options.withPseudoName("TOOLS"),
    Options.repeated,
    Options.withDescription(flags.disallowedTools.text)
  ),
  systemPrompt: Options.text("system-prompt").pipe(
    Options.withPseudoName("TEXT"),
    Options.withDescription(flags.systemPrompt.text),
    Options.optional
  ),
  appendSystemPrompt: Options.text("append-system-prompt").pipe(
    Options.withPseudoName("TEXT"),
    Options.withDescription(flags.appendSystemPrompt.text),
    Options.optional
  ),
  transport: Options.choice("transport", ["pty", "pipe"]).pipe(
    Options.withDefault("pty" as const),
    Options.withDescription(flags.transport.text)
  ),
  idleTimeout: Options.float("idle-timeout").pipe(
    Options.withPseudoName("SECONDS"),
    Options.mapEffect(positive("--idle-timeout", false)),
    Options.withDescription(flags.idleTimeout.text),
    Options.optional
  ),
  record: Options.text("record").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription(flags.record.text),
    Options.optional
  ),
  output: Options.choice("output", ["text", "events", "json"]).pipe(
    Options.withDefault("text" as const),
    Options.withDescription(flags.output.text)
  ),
  prompt: Args.text({ name: "PROMPT" }).pipe(
    Args.withDescription("The prompt; `-` reads it from stdin. Put it after `--` when it starts with `-`.")
  )
} as const

/** The parsed command line. */
type Parsed = Command.Command.ParseConfig<typeof config>

const toInput = (parsed: Parsed) => {
  const get = Option.getOrUndefined
  const allowedTools = splitTools(parsed.allowedTools)
  const disallowedTools = splitTools(parsed.disallowedTools)
  const idleTimeout = get(parsed.idleTimeout)
  const cwd = get(parsed.cwd)
  const claude = get(parsed.claude)
  const record = get(parsed.record)
  const options: ClaudeCode.Options = {
    // A path (not a name looked up on PATH) is taken relative to where the command runs, not --cwd.
    executable: claude !== undefined && claude.includes(Path.sep) ? Path.resolve(claude) : claude,
    cwd: cwd === undefined ? undefined : Path.resolve(cwd),
    model: get(parsed.model),
    resume: get(parsed.resume),
    continue: parsed.continue || undefined,
    forkSession: parsed.forkSession || undefined,
    sessionId: get(parsed.sessionId),
    includePartialMessages: parsed.partial || undefined,
    maxTurns: get(parsed.maxTurns),
    permissionMode: get(parsed.permissionMode),
    allowedTools: allowedTools.length > 0 ? allowedTools : undefined,
    disallowedTools: disallowedTools.length > 0 ? disallowedTools : undefined,
    systemPrompt: get(parsed.systemPrompt),
    appendSystemPrompt: get(parsed.appendSystemPrompt),
    transport: parsed.transport,
    idleTimeout: idleTimeout === undefined ? undefined : idleTimeout * 1000,
    // Relative to where the command runs, not --cwd.
    record: record === undefined ? undefined : Path.resolve(record)
  }
  return { prompt: parsed.prompt, output: parsed.output, options }
}

/** Echoes at most the start of what may be a prompt. */
const truncate = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}…` : text)

const defaultInvocation: Context.Tag.Service<Invocation> = {
  signal: new AbortController().signal,
  afterSeparator: []
}

/**
 * The command. Its handler fails with {@link CommandExit} for a non-zero exit code, after printing.
 *
 * @example
 * ```ts
 * import { Command } from "@effect/cli"
 * import { Cli } from "effect-claude-code-cli"
 *
 * // the command as a subcommand of your own CLI
 * const mine = Command.make("mine").pipe(Command.withSubcommands([Cli.command]))
 * ```
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(NAME, config, (parsed) =>
  Effect.gen(function*() {
    const invocation = Option.getOrElse(yield* Effect.serviceOption(Invocation), () => defaultInvocation)
    // @effect/cli takes any word it does not know for the prompt, a misspelt flag too: only a
    // prompt after `--` may start with "-".
    if (parsed.prompt.startsWith("-") && parsed.prompt !== "-" && !invocation.afterSeparator.includes(parsed.prompt)) {
      yield* Io.stderr(errorLine(
        `unknown flag '${truncate(parsed.prompt)}' (see ${NAME} --help; a prompt that starts with "-" goes after --)`
      ))
      return yield* new CommandExit({ code: ExitCode.Usage })
    }
    // Loaded only now: --help and usage errors stay fast.
    const { execute } = yield* Effect.promise(() => import("./internal/run.js"))
    const code = yield* execute(toInput(parsed), invocation.signal)
    if (code !== ExitCode.Done) return yield* new CommandExit({ code })
  })).pipe(
    Command.withDescription(HelpDoc.blocks([
      HelpDoc.p("Run one prompt through Claude Code (headless, stream-json) and print the answer."),
      HelpDoc.p(
        "Ctrl-C (SIGINT) or SIGTERM cancels gracefully: the CLI is interrupted so it saves the session, " +
          "what was produced so far and the session id are printed, and the exit code is 130."
      )
    ]))
  )

const footer = HelpDoc.sequence(
  HelpDoc.h1("EXIT CODES"),
  HelpDoc.descriptionList(
    Arr.map(
      ExitCode.descriptions,
      ([code, text]): [Span.Span, HelpDoc.HelpDoc] => [Span.text(String(code)), HelpDoc.p(text)]
    )
  )
)

const cli = Command.run(command, { name: NAME, version, footer })

/** `-h` or `--help` before the `--` separator (`args` as `process.argv`). */
const wantsHelp = (args: ReadonlyArray<string>): boolean => {
  const words = args.slice(2)
  const end = words.indexOf("--")
  return (end < 0 ? words : words.slice(0, end)).some((word) => word === "--help" || word === "-h")
}

/** The help for stdout: as wide as the terminal (100 columns when not one), coloured on a terminal. */
const help = (): string => {
  const onTerminal = process.stdout.isTTY === true
  return helpText(version, onTerminal ? process.stdout.columns || 80 : 100, style(useColour(process.env, onTerminal)))
}

/**
 * Runs the command with `args` (`process.argv`: the runtime and script come first) and returns
 * its exit code. Never fails: every error is printed to stderr as one line and mapped to a code
 * (see `ExitCode`). Abort `signal` to cancel a run gracefully.
 *
 * @example
 * ```ts
 * import { NodeContext, NodeRuntime } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { Cli } from "effect-claude-code-cli"
 *
 * // what the bin does, in short
 * const controller = new AbortController()
 * process.on("SIGINT", () => controller.abort())
 * const main = Cli.run(process.argv, { signal: controller.signal }).pipe(
 *   Effect.flatMap((code) => Effect.sync(() => process.exit(code))),
 *   Effect.provide(NodeContext.layer)
 * )
 * // NodeRuntime.runMain(main)
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  args: ReadonlyArray<string>,
  options?: { readonly signal?: AbortSignal | undefined }
): Effect.Effect<ExitCode.ExitCode, never, CliApp.CliApp.Environment> =>
  wantsHelp(args)
    ? Effect.as(Effect.ignore(Effect.suspend(() => Io.stdout(help()))), ExitCode.Done)
    : cli(args).pipe(
      Effect.as(ExitCode.Done),
      Effect.catchAll((error): Effect.Effect<ExitCode.ExitCode> => {
        if (error instanceof CommandExit) return Effect.succeed(error.code as ExitCode.ExitCode)
        // A usage error; @effect/cli's own printing of it is dropped by `Io.withPlainConsole`.

        const text = HelpDoc.toAnsiText(error.error).replace(/\u001b\[[0-9;]*m/g, "").trim()
        const line = errorLine(`${text.length > 0 ? text : "invalid arguments"} (see ${NAME} --help)`)
        return Effect.as(Io.stderr(line), ExitCode.Usage)
      }),
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.succeed(ExitCode.Cancelled)
          : Effect.as(Io.stderr(errorLine(`internal error: ${Cause.pretty(cause).split("\n")[0]}`)), ExitCode.Internal)
      ),
      Io.withPlainConsole,
      Effect.provideService(Invocation, {
        signal: options?.signal ?? defaultInvocation.signal,
        afterSeparator: args.slice(args.indexOf("--") + 1 || args.length)
      })
    )

import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type { Options } from "../ClaudeCode.js"

/** Why an option was refused before spawning. @internal */
export interface OptionProblem {
  readonly option: string
  readonly problem: string
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const permissionModes = new Set(["default", "acceptEdits", "auto", "bypassPermissions", "manual", "dontAsk", "plan"])

const stringOptions = [
  "executable",
  "cwd",
  "model",
  "fallbackModel",
  "resume",
  "sessionId",
  "systemPrompt",
  "appendSystemPrompt",
  "settings",
  "record"
] as const
const booleanOptions = ["continue", "forkSession", "includePartialMessages", "strictMcpConfig"] as const
const listOptions = ["allowedTools", "disallowedTools", "addDirs", "extraArgs"] as const
const enumOptions = { transport: ["pty", "pipe"], inputFormat: ["text", "stream-json"] } as const

const describe = (value: unknown): string =>
  value === undefined
    ? "undefined"
    : value === null
    ? "null"
    : Array.isArray(value)
    ? "an array"
    : typeof value === "string"
    ? JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)
    : typeof value === "object" || typeof value === "function"
    ? typeof value
    : `${typeof value} ${String(value)}`

const isStringList = (value: unknown): boolean =>
  Array.isArray(value) && value.every((item) => typeof item === "string")

/**
 * The types of the prompt and the options, for callers the type checker did not see (JavaScript,
 * options parsed from configuration): a wrong one is refused naming it, instead of a TypeError
 * from deep inside, an argument the CLI misreads, or (an unknown `transport`) the other transport.
 */
const checkTypes = (prompt: unknown, options: unknown): OptionProblem | undefined => {
  if (typeof prompt !== "string") return { option: "prompt", problem: `must be a string, got ${describe(prompt)}` }
  if (typeof options !== "object" || options === null) {
    return { option: "options", problem: `must be an object, got ${describe(options)}` }
  }
  const given = options as Record<string, unknown>
  for (const option of stringOptions) {
    const value = given[option]
    if (value !== undefined && typeof value !== "string") {
      return { option, problem: `must be a string, got ${describe(value)}` }
    }
  }
  for (const option of booleanOptions) {
    const value = given[option]
    if (value !== undefined && typeof value !== "boolean") {
      return { option, problem: `must be a boolean, got ${describe(value)}` }
    }
  }
  for (const option of listOptions) {
    const value = given[option]
    if (value !== undefined && !isStringList(value)) {
      return { option, problem: `must be an array of strings, got ${describe(value)}` }
    }
  }
  if (given.mcpConfig !== undefined && typeof given.mcpConfig !== "string" && !isStringList(given.mcpConfig)) {
    return { option: "mcpConfig", problem: `must be a string or an array of strings, got ${describe(given.mcpConfig)}` }
  }
  if (
    given.maxBudgetUsd !== undefined && !(typeof given.maxBudgetUsd === "number" && Number.isFinite(given.maxBudgetUsd))
  ) {
    return { option: "maxBudgetUsd", problem: `must be a number, got ${describe(given.maxBudgetUsd)}` }
  }
  for (const [option, allowed] of Object.entries(enumOptions)) {
    const value = given[option]
    if (value !== undefined && !(allowed as ReadonlyArray<unknown>).includes(value)) {
      return { option, problem: `must be one of ${allowed.join(", ")}, got ${describe(value)}` }
    }
  }
  const env = given.env
  if (env !== undefined) {
    if (typeof env !== "object" || env === null || Array.isArray(env)) {
      return { option: "env", problem: `must be an object of strings, got ${describe(env)}` }
    }
    for (const [key, value] of Object.entries(env)) {
      if (value !== undefined && typeof value !== "string") {
        return { option: "env", problem: `${key} must be a string or undefined, got ${describe(value)}` }
      }
    }
  }
  const cancel = given.cancel
  if (
    cancel !== undefined && !Predicate.hasProperty(cancel, Deferred.DeferredTypeId) &&
    !(Predicate.hasProperty(cancel, "addEventListener") && typeof cancel.addEventListener === "function")
  ) {
    return { option: "cancel", problem: `must be a Deferred or an AbortSignal, got ${describe(cancel)}` }
  }
  if (given.idleTimeout !== undefined && Option.isNone(Duration.decodeUnknown(given.idleTimeout))) {
    return { option: "idleTimeout", problem: `must be a Duration input, got ${describe(given.idleTimeout)}` }
  }
  return undefined
}

/**
 * Checks what can be checked before spawning, so a bad value fails fast with a message that
 * names the option instead of surfacing as the CLI's exit code 1.
 *
 * @internal
 */
export const validate = (prompt: string, options: Options): OptionProblem | undefined => {
  const typeProblem = checkTypes(prompt, options)
  if (typeProblem !== undefined) return typeProblem
  if (prompt.trim().length === 0 && options.inputFormat !== "stream-json") {
    return { option: "prompt", problem: "is empty; the CLI refuses an empty or whitespace-only prompt" }
  }
  if (prompt.includes("\u0000")) {
    return { option: "prompt", problem: "contains a NUL character, which no process argument or CLI input can carry" }
  }
  if (options.maxTurns !== undefined && !(Number.isInteger(options.maxTurns) && options.maxTurns > 0)) {
    return { option: "maxTurns", problem: `must be a positive whole number, got ${String(options.maxTurns)}` }
  }
  if (options.sessionId !== undefined && !uuid.test(options.sessionId)) {
    return {
      option: "sessionId",
      problem: `must be a UUID (the CLI rejects anything else), got ${JSON.stringify(options.sessionId)}`
    }
  }
  if (options.resume !== undefined && options.resume.trim().length === 0) {
    return { option: "resume", problem: "is empty; pass the session id of an earlier run" }
  }
  if (options.forkSession === true && options.resume === undefined && options.continue !== true) {
    return { option: "forkSession", problem: "needs `resume` or `continue`: a fork starts from an existing session" }
  }
  if (options.resume !== undefined && options.continue === true) {
    return { option: "continue", problem: "cannot be combined with `resume`; pick one" }
  }
  if (options.permissionMode !== undefined && !permissionModes.has(options.permissionMode)) {
    return {
      option: "permissionMode",
      problem: `must be one of ${[...permissionModes].join(", ")}, got ${JSON.stringify(options.permissionMode)}`
    }
  }
  return undefined
}

const list = (flag: string, values: ReadonlyArray<string> | undefined): Array<string> =>
  values !== undefined && values.length > 0 ? [flag, ...values] : []
const one = (flag: string, value: string | number | undefined): Array<string> =>
  value !== undefined ? [flag, String(value)] : []
const bool = (flag: string, value: boolean | undefined): Array<string> => (value === true ? [flag] : [])

/**
 * The CLI's argv for one headless run. Every flag goes before `--` and the prompt after it,
 * so a prompt that starts with `-` is never read as an option. When `prompt` is `undefined`
 * the prompt travels on stdin and no `--` is written.
 *
 * @internal
 */
export const buildArgs = (prompt: string | undefined, options: Options): Array<string> => [
  "-p",
  "--output-format",
  "stream-json",
  "--verbose",
  ...(options.inputFormat === "stream-json" ? ["--input-format", "stream-json"] : []),
  ...bool("--include-partial-messages", options.includePartialMessages),
  ...one("--model", options.model),
  ...one("--fallback-model", options.fallbackModel),
  ...one("--resume", options.resume),
  ...bool("--continue", options.continue),
  ...bool("--fork-session", options.forkSession),
  ...one("--session-id", options.sessionId),
  ...one("--max-turns", options.maxTurns),
  ...one("--max-budget-usd", options.maxBudgetUsd),
  ...one("--permission-mode", options.permissionMode),
  ...list("--allowedTools", options.allowedTools),
  ...list("--disallowedTools", options.disallowedTools),
  ...one("--system-prompt", options.systemPrompt),
  ...one("--append-system-prompt", options.appendSystemPrompt),
  ...list("--add-dir", options.addDirs),
  ...list("--mcp-config", typeof options.mcpConfig === "string" ? [options.mcpConfig] : options.mcpConfig),
  ...bool("--strict-mcp-config", options.strictMcpConfig),
  ...one("--settings", options.settings),
  ...(options.extraArgs ?? []),
  ...(prompt === undefined ? [] : ["--", prompt])
]

/**
 * Checks run before forking. node-pty forks first and calls `execvp` in the child, so a missing
 * command, a bad cwd or an oversized argument list would otherwise only show up as exit code 1
 * and an "execvp(3) failed." line in the output. Everything here is synchronous and cheap.
 *
 * @internal
 */
import * as fs from "node:fs"
import * as path from "node:path"

/**
 * The public reasons. Problems without a reason of their own (an unreadable stdin file, invalid
 * options) are "Unknown", with the specifics in `detail`.
 *
 * @internal
 */
export type Reason = "NotFound" | "NotExecutable" | "CwdMissing" | "ArgumentsTooLong" | "Unknown"

/** @internal */
export class Failure {
  readonly _tag = "Failure"
  constructor(readonly reason: Reason, readonly detail: string, readonly cause?: unknown) {}
}

/** @internal */
export const isFailure = (u: unknown): u is Failure => u instanceof Failure

/** Variables that describe the parent's terminal, not ours (the list node-pty strips). */
const terminalVariables = new Set([
  "TMUX",
  "TMUX_PANE",
  "STY",
  "WINDOW",
  "WINDOWID",
  "TERMCAP",
  "COLUMNS",
  "LINES"
])

/**
 * The child's environment: `process.env` (unless `inherit` is false, and minus the variables that
 * describe the parent's terminal), then `overrides` (`undefined` removes a variable), then `TERM`
 * (inherited, or "xterm") and `PWD` (the cwd) unless the overrides mention them.
 *
 * @internal
 */
export const buildEnv = (
  inherit: boolean,
  overrides: Readonly<Record<string, string | undefined>> | undefined,
  cwd: string
): Map<string, string> | Failure => {
  const env = new Map<string, string>()
  if (inherit) {
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !terminalVariables.has(key)) env.set(key, value)
    }
  }
  const explicit = new Set<string>()
  if (overrides !== undefined) {
    for (const [key, value] of Object.entries(overrides)) {
      if (key === "" || key.includes("=") || key.includes("\0")) {
        return new Failure("Unknown", `environment variable name ${JSON.stringify(key)} is not valid`)
      }
      explicit.add(key)
      if (value === undefined) {
        env.delete(key)
      } else if (value.includes("\0")) {
        return new Failure("Unknown", `environment variable ${key} contains a NUL byte`)
      } else {
        env.set(key, value)
      }
    }
  }
  if (!explicit.has("TERM") && !env.has("TERM")) env.set("TERM", "xterm")
  if (!explicit.has("PWD")) env.set("PWD", cwd)
  return env
}

/** @internal */
export const checkCwd = (cwd: string): Failure | undefined => {
  if (cwd.includes("\0")) return new Failure("Unknown", "cwd contains a NUL byte")
  let stat: fs.Stats
  try {
    stat = fs.statSync(cwd)
  } catch (cause) {
    return new Failure("CwdMissing", `the working directory ${cwd} does not exist`, cause)
  }
  if (!stat.isDirectory()) {
    return new Failure("CwdMissing", `the working directory ${cwd} is not a directory`)
  }
  try {
    fs.accessSync(cwd, fs.constants.X_OK)
  } catch (cause) {
    return new Failure("CwdMissing", `the working directory ${cwd} is not searchable (no x permission)`, cause)
  }
  return undefined
}

/** What `execvp` uses when PATH is unset (glibc's `confstr(_CS_PATH)`). */
const defaultPath = "/bin:/usr/bin"

/**
 * Resolves `command` the way `execvp` in the child will: a name containing a slash is a path
 * relative to the child's cwd; otherwise each PATH entry is tried in order (an empty entry means
 * the cwd). Non-executable matches are skipped, as `execvp` does, and reported only when nothing
 * executable was found.
 *
 * @internal
 */
export const resolveCommand = (
  command: string,
  cwd: string,
  pathVariable: string | undefined
): string | Failure => {
  if (command === "") return new Failure("NotFound", "the command is an empty string")
  if (command.includes("\0")) return new Failure("Unknown", "the command contains a NUL byte")
  const candidates = command.includes("/")
    ? [path.resolve(cwd, command)]
    : (pathVariable ?? defaultPath).split(":").map((dir) => path.resolve(cwd, dir, command))
  let rejected: Failure | undefined
  for (const candidate of candidates) {
    let stat: fs.Stats
    try {
      stat = fs.statSync(candidate)
    } catch {
      continue
    }
    if (!stat.isFile()) {
      rejected ??= new Failure("NotExecutable", `${candidate} is not a regular file`)
      continue
    }
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
    } catch (cause) {
      rejected ??= new Failure("NotExecutable", `${candidate} is not executable (no x permission)`, cause)
      continue
    }
    return candidate
  }
  if (rejected !== undefined) return rejected
  return new Failure(
    "NotFound",
    command.includes("/")
      ? `${candidates[0]} does not exist`
      : `${command} was not found on PATH (${pathVariable ?? `unset, so ${defaultPath}`})`
  )
}

/** @internal */
export const checkStdin = (stdin: string, cwd: string): Failure | undefined => {
  if (stdin.includes("\0")) return new Failure("Unknown", "the stdin path contains a NUL byte")
  const resolved = path.resolve(cwd, stdin)
  try {
    const stat = fs.statSync(resolved)
    if (stat.isDirectory()) return new Failure("Unknown", `the stdin path ${resolved} is a directory`)
    fs.accessSync(resolved, fs.constants.R_OK)
  } catch (cause) {
    return new Failure("Unknown", `the stdin file ${resolved} does not exist or is not readable`, cause)
  }
  return undefined
}

/** Linux `MAX_ARG_STRLEN`: one argument or environment string, including its NUL. */
const maxStringBytes = 32 * 4096
/** Linux `_STK_LIM / 4 * 3`: the cap on all argument and environment strings. */
const maxTotalBytes = 6 * 1024 * 1024

const stackLimit = (): number => {
  try {
    const limits = fs.readFileSync("/proc/self/limits", "utf8")
    const match = /^Max stack size\s+(\S+)/m.exec(limits)
    if (match !== null) return match[1] === "unlimited" ? Infinity : Number(match[1])
  } catch {
    // not Linux, or /proc is not mounted: assume the usual 8 MiB
  }
  return 8 * 1024 * 1024
}

/**
 * Mirrors the kernel's `E2BIG` checks in `execve` (fs/exec.c): each string at most
 * `MAX_ARG_STRLEN` bytes, and all strings plus the pointer arrays within a quarter of the stack
 * limit (at most 6 MiB, at least 128 KiB). Only applied on Linux, where these limits are known.
 *
 * @internal
 */
export const checkArgumentSize = (
  file: string,
  args: ReadonlyArray<string>,
  env: ReadonlyArray<string>
): Failure | undefined => {
  if (process.platform !== "linux") return undefined
  let total = Buffer.byteLength(file) + 1
  for (let i = 0; i < args.length; i++) {
    const bytes = Buffer.byteLength(args[i]!) + 1
    if (bytes > maxStringBytes) {
      return new Failure(
        "ArgumentsTooLong",
        `argv[${i}] is ${bytes - 1} bytes; Linux limits a single argument to ${maxStringBytes - 1} bytes`
      )
    }
    total += bytes
  }
  for (const pair of env) {
    const bytes = Buffer.byteLength(pair) + 1
    if (bytes > maxStringBytes) {
      const name = pair.slice(0, pair.indexOf("="))
      return new Failure(
        "ArgumentsTooLong",
        `environment variable ${name} is ${bytes - 1} bytes; Linux limits a single environment string to ${
          maxStringBytes - 1
        } bytes`
      )
    }
    total += bytes
  }
  total += (Math.max(args.length, 1) + env.length) * 8
  // The limit is never below MAX_ARG_STRLEN: a usual exec (a few KiB) needs no look at the stack
  // limit (reading /proc/self/limits was most of the check's cost)
  if (total <= maxStringBytes) return undefined
  const limit = Math.max(Math.min(stackLimit() / 4, maxTotalBytes), maxStringBytes)
  if (total > limit) {
    return new Failure(
      "ArgumentsTooLong",
      `the arguments and environment take ${total} bytes; this system allows ${limit} bytes per exec`
    )
  }
  return undefined
}

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "string" ? "a string" : typeof value

/**
 * The types of the options that are used before any other check (the command, cwd, args, env and
 * stdin), for callers the type checker did not see.
 *
 * @internal
 */
export const checkShapes = (options: unknown): Failure | undefined => {
  if (typeof options !== "object" || options === null) {
    return new Failure("Unknown", `the options must be an object, got ${describe(options)}`)
  }
  const { args, command, cwd, env, stdin } = options as Record<string, unknown>
  if (typeof command !== "string") return new Failure("Unknown", `command must be a string, got ${describe(command)}`)
  if (cwd !== undefined && typeof cwd !== "string") {
    return new Failure("Unknown", `cwd must be a string, got ${describe(cwd)}`)
  }
  if (args !== undefined && !Array.isArray(args)) {
    return new Failure("Unknown", `args must be an array of strings, got ${describe(args)}`)
  }
  if (env !== undefined) {
    if (typeof env !== "object" || env === null || Array.isArray(env)) {
      return new Failure("Unknown", `env must be an object of strings, got ${describe(env)}`)
    }
    for (const [key, value] of Object.entries(env)) {
      if (value !== undefined && typeof value !== "string") {
        return new Failure(
          "Unknown",
          `environment variable ${key} must be a string or undefined, got ${describe(value)}`
        )
      }
    }
  }
  if (stdin !== undefined && typeof stdin !== "string") {
    return new Failure("Unknown", `stdin must be a path (a string), got ${describe(stdin)}`)
  }
  return undefined
}

/** @internal */
export const checkArgs = (args: ReadonlyArray<string>): Failure | undefined => {
  for (let i = 0; i < args.length; i++) {
    if (typeof args[i] !== "string") return new Failure("Unknown", `args[${i}] is not a string`)
    if (args[i]!.includes("\0")) return new Failure("Unknown", `args[${i}] contains a NUL byte`)
  }
  return undefined
}

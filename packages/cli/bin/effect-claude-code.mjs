#!/usr/bin/env node
// The `effect-claude-code` command.
//
// Installed from the package, it runs the compiled JavaScript in dist/ with plain Node.
//
// In this repository (tsconfig.src.json is next to bin/; the package's `files` leave it out), it
// runs the TypeScript sources instead, so a stale or missing dist/ is never what runs: tsx
// compiles them on the fly (caching the output in the system's temp directory), and a resolve
// hook adds the export condition that makes the workspace packages resolve to their sources.
// The plain-JavaScript dependencies that every invocation needs are imported first, before the
// hooks are registered: loaded that way they skip the hooks (which run on a separate thread),
// which makes `--help` about a third faster. The library itself is loaded only for a run.
import { existsSync } from "node:fs"

if (existsSync(new URL("../tsconfig.src.json", import.meta.url))) {
  await import("@effect/cli/Command")
  await import("@effect/platform-node/NodeContext")
  await import("@effect/platform-node/NodeRuntime")
  const { register } = await import("node:module")
  const { register: registerTsx } = await import("tsx/esm/api")
  registerTsx()
  const addCondition = `export const resolve = (specifier, context, next) =>
    next(specifier, { ...context, conditions: [...new Set([...context.conditions, "@effect-claude-code/source"])] })`
  register(`data:text/javascript,${encodeURIComponent(addCondition)}`)
  await import("../src/main.ts")
} else {
  await import("../dist/main.js")
}

#!/usr/bin/env node
// Runs the command from its TypeScript sources: tsx compiles them on the fly (caching the output
// in the system's temp directory), so it works from the workspace without a build step.
//
// The plain-JavaScript dependencies that every invocation needs are imported first, before tsx's
// loader hooks are registered: loaded that way they skip the hooks (which run on a separate
// thread), which makes `--help` about a third faster. The library itself is loaded only for a run.
import "@effect/cli/Command"
import "@effect/platform-node/NodeContext"
import "@effect/platform-node/NodeRuntime"
import { register } from "tsx/esm/api"

register()
await import("../src/main.ts")

import { defaultServerConditions } from "vite"
import { defineConfig } from "vitest/config"

/**
 * The export condition that makes the workspace packages resolve to their TypeScript sources
 * (`src/`) instead of their build output (`dist/`); see the packages' `exports`.
 */
const SOURCE = "@effect-claude-code/source"

// Processes the tests start (the CLI's bin, tsx scripts, examples) resolve the packages through
// Node, not through Vite: they get the condition through NODE_OPTIONS, also when vitest is not
// started by npm (which sets it from .npmrc).
const nodeOptions = process.env.NODE_OPTIONS ?? ""
if (!nodeOptions.includes(`--conditions=${SOURCE}`)) {
  process.env.NODE_OPTIONS = `${nodeOptions} --conditions=${SOURCE}`.trim()
}

// Settings every package shares. Real child processes are spawned in many tests, so the
// timeouts leave room for a busy 2-core CI machine; timing goals live in bench/, not here.
export default defineConfig({
  resolve: { conditions: [SOURCE, ...defaultServerConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    fakeTimers: { toFake: [] }
  }
})

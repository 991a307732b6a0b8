// Contestant 5: effect-claude-code in a pseudo-terminal (effect-pty over node-pty's binding).
import { main } from "./ours.js"

await main("pty")

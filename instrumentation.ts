// Runs once when a Next.js server starts. NEXT_RUNTIME is a build-time constant Next inlines (not
// configuration), so the edge bundle drops the Node-only start-up code below.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startServer } = await import("@/lib/startup");
    await startServer();
  }
}

// Runs once when a Next.js server starts. NEXT_RUNTIME is a build-time constant Next inlines (not
// configuration), so the edge bundle drops the Node-only start-up code below.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // First, before any request: the socket's peer address is the client IP when nothing is in front.
    const { installSocketAddressHeader } = await import("@/lib/security/client-ip");
    installSocketAddressHeader();
    const { startServer } = await import("@/lib/startup");
    await startServer();
  }
}

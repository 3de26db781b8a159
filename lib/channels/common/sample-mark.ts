// A channel connected with sample values ("Try it with a sample number") carries { sample: true } in
// its settings, so every page can say so. The mark stays while the channel keeps its sample address;
// saving the channel with an address of the owner's own removes it.

export function isSampleChannel(channel: { settings: unknown } | null | undefined): boolean {
  return (channel?.settings as { sample?: unknown } | null | undefined)?.sample === true;
}

/** The settings to store when a channel is saved: the sample mark kept only while the address is the sample's. */
export function keepSampleMark<T extends Record<string, unknown>>(existing: { address: string; settings: unknown } | null | undefined, address: string, settings: T): T {
  return isSampleChannel(existing) && existing!.address === address ? { ...settings, sample: true } : settings;
}

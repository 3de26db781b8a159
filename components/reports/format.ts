// Money and durations as the report pages show them.
const MICRO = 1_000_000;

/** Dollars to the cent, or to a tenth of a cent when the amount is under a dollar and not zero. */
export function money(micros: number): string {
  const usd = micros / MICRO;
  if (micros !== 0 && Math.abs(usd) < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function percent(share: number | null): string {
  return share === null ? "—" : `${Math.round(share * 1000) / 10}%`;
}

export function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round((seconds / 3600) * 10) / 10} h`;
  return `${Math.round((seconds / 86_400) * 10) / 10} days`;
}

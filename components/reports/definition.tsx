// A metric's definition one click away: a button opening a popover (the browser's own popover, so it
// needs no script, closes on Escape or a click elsewhere and sits above everything on a phone too).
// Only phrasing elements inside, so it may sit in a heading or a paragraph.
export function Definition({ id, term, lines }: { id: string; term: string; lines: string[] }) {
  const popover = `definition-${id}`;
  return (
    <>
      <button
        type="button"
        popoverTarget={popover}
        className="ml-1 inline-flex h-5 w-5 items-center justify-center rounded-full border border-slate-300 align-middle text-xs font-normal text-slate-600 hover:bg-slate-100"
        aria-label={`What "${term}" means`}
      >
        ?
      </button>
      <span
        id={popover}
        popover="auto"
        role="dialog"
        aria-label={`Definition: ${term}`}
        className="m-auto w-[min(24rem,calc(100vw-2rem))] rounded-lg border border-slate-200 bg-white p-4 text-left text-sm font-normal text-slate-700 shadow-lg backdrop:bg-slate-900/20"
      >
        <span className="block font-medium text-slate-900">{term}</span>
        {lines.map((line) => (
          <span key={line} className="mt-1 block">
            {line}
          </span>
        ))}
      </span>
    </>
  );
}

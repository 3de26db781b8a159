"use client";
// Uploads files one after another; each shows a progress bar fed by the upload itself and then by the
// server's streamed stages (extracting, chunking, embedding n of m, storing).
import { useRef, useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Upload } from "lucide-react";
import { Button } from "@/components/ui/button";

type Item = { name: string; progress: number; status: string; state: "waiting" | "working" | "done" | "error"; link?: string };
/** `link`: the document that already has this file's text (a 409). */
type Event = { stage: string; done?: number; total?: number; message?: string; link?: string; chunks?: number; pages?: number | null };

const ACCEPT = ".txt,.md,.markdown,.html,.htm,.pdf,.docx";
const MAX_BYTES = 10 * 1024 * 1024;

function describe(e: Event): { progress: number; status: string } {
  switch (e.stage) {
    case "received":
      return { progress: 40, status: "Uploaded" };
    case "extracting":
      return { progress: 45, status: "Reading the text…" };
    case "chunking":
      return { progress: 50, status: "Splitting into chunks…" };
    case "embedding": {
      const f = e.total ? (e.done ?? 0) / e.total : 1;
      return { progress: 50 + Math.round(f * 45), status: `Indexing chunk ${e.done ?? 0} of ${e.total ?? 0}…` };
    }
    case "storing":
      return { progress: 97, status: "Saving…" };
    case "done":
      return { progress: 100, status: `Added: ${e.chunks} ${e.chunks === 1 ? "chunk" : "chunks"}${e.pages ? `, ${e.pages} pages` : ""}` };
    default:
      return { progress: 0, status: e.message ?? "Failed" };
  }
}

function send(url: string, file: File, onEvent: (e: Event) => void, onUpload: (fraction: number) => void): Promise<void> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    let read = 0;
    const drain = (final: boolean) => {
      const text = xhr.responseText;
      let nl: number;
      while ((nl = text.indexOf("\n", read)) >= 0) {
        const line = text.slice(read, nl).trim();
        read = nl + 1;
        if (line) {
          try {
            onEvent(JSON.parse(line) as Event);
          } catch {
            // a partial line: wait for the rest
          }
        }
      }
      if (final && read < text.length && xhr.status >= 400) {
        try {
          const body = JSON.parse(text) as { error?: { message?: string; link?: string } };
          onEvent({ stage: "error", message: body.error?.message ?? `Upload failed (${xhr.status}).`, link: body.error?.link });
        } catch {
          onEvent({ stage: "error", message: `Upload failed (${xhr.status}).` });
        }
      }
    };
    xhr.open("POST", url);
    xhr.setRequestHeader("accept", "application/x-ndjson");
    xhr.upload.onprogress = (e) => e.lengthComputable && onUpload(e.loaded / e.total);
    xhr.onprogress = () => xhr.status < 400 && drain(false);
    xhr.onload = () => {
      drain(true);
      resolve();
    };
    xhr.onerror = () => {
      onEvent({ stage: "error", message: "The connection failed. Check your network and try again." });
      resolve();
    };
    const body = new FormData();
    body.set("file", file);
    xhr.send(body);
  });
}

export function UploadPanel({ slug }: { slug: string }) {
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<Item[]>([]);
  const [busy, setBusy] = useState(false);

  async function start(files: File[]) {
    if (!files.length) return;
    const list: Item[] = files.map((f) => ({ name: f.name, progress: 0, status: "Waiting…", state: "waiting" }));
    setItems(list);
    setBusy(true);
    const update = (i: number, patch: Partial<Item>) => setItems((prev) => prev.map((it, j) => (j === i ? { ...it, ...patch } : it)));
    for (const [i, file] of files.entries()) {
      if (file.size > MAX_BYTES) {
        update(i, { state: "error", status: "The file is larger than 10 MB." });
        continue;
      }
      update(i, { state: "working", status: "Uploading…" });
      await send(
        `/api/businesses/${slug}/knowledge/uploads`,
        file,
        (e) => {
          const d = describe(e);
          update(i, { ...d, state: e.stage === "done" ? "done" : e.stage === "error" ? "error" : "working", link: e.link });
        },
        (f) => update(i, { progress: Math.round(f * 40), status: `Uploading… ${Math.round(f * 100)}%` }),
      );
    }
    setBusy(false);
    if (input.current) input.current.value = "";
    router.refresh();
  }

  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white p-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h3 className="text-sm font-medium">Upload documents</h3>
          <p className="text-xs text-slate-500">.txt, .md, .html, .pdf or .docx, up to 10 MB each. The text is taken out, split into chunks and indexed.</p>
        </div>
        <Button type="button" variant="secondary" disabled={busy} onClick={() => input.current?.click()}>
          <Upload className="h-4 w-4" aria-hidden />
          {busy ? "Uploading…" : "Choose files"}
        </Button>
        <input ref={input} type="file" multiple accept={ACCEPT} className="sr-only" aria-label="Files to upload" onChange={(e) => start([...(e.target.files ?? [])])} />
      </div>
      {items.length > 0 && (
        <ul className="mt-3 space-y-2" aria-live="polite">
          {items.map((it, i) => (
            <li key={`${it.name}-${i}`} className="text-sm">
              <div className="flex justify-between gap-2">
                <span className="truncate font-medium">{it.name}</span>
                <span className={it.state === "error" ? "text-red-700" : it.state === "done" ? "text-emerald-700" : "text-slate-500"} role={it.state === "error" ? "alert" : undefined}>
                  {it.status}
                  {it.link && (
                    <>
                      {" "}
                      <Link href={it.link} className="underline">
                        Open it
                      </Link>
                    </>
                  )}
                </span>
              </div>
              <div
                className="mt-1 h-2 overflow-hidden rounded bg-slate-200"
                role="progressbar"
                aria-label={`Progress of ${it.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={it.progress}
              >
                <div className={`h-full transition-all ${it.state === "error" ? "bg-red-500" : "bg-teal-600"}`} style={{ width: `${it.state === "error" ? 100 : it.progress}%` }} />
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// POST /api/businesses/[business]/knowledge/uploads — one file (multipart field "file", optional
// "title") is extracted, chunked, embedded and stored. With `Accept: application/x-ndjson` the answer
// streams one JSON line per stage ({ stage: "extracting" | "chunking" | "embedding" | "storing" })
// and ends with { stage: "done", … } or { stage: "error", code, message }; otherwise one JSON body.
// A file whose text the business already has is a 409 with documentId and a link to that document.
import { withMember } from "@/lib/api";
import { AppError, toErrorBody } from "@/lib/errors";
import { MAX_UPLOAD_BYTES } from "@/lib/knowledge/extract";
import { requireRole } from "@/lib/services/context";
import { KNOWLEDGE_EDITORS, uploadDocument, type UploadProgress } from "@/lib/services/knowledge";

export const dynamic = "force-dynamic";
// Large PDFs take a while to embed with a remote embedder.
export const maxDuration = 300;

/** Multipart overhead allowed on top of the file itself. */
const ENVELOPE = 64 * 1024;

async function readUpload(req: Request) {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_UPLOAD_BYTES + ENVELOPE) throw new AppError("payload_too_large", `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);
  if (!/^multipart\/form-data/i.test(req.headers.get("content-type") ?? "")) {
    throw new AppError("bad_request", 'Send the file as multipart/form-data in a field named "file".');
  }
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new AppError("bad_request", 'Send the file as multipart/form-data in a field named "file".');
  }
  const file = form.get("file");
  if (!file || typeof file === "string") throw new AppError("bad_request", 'Choose a file to upload (field "file").');
  if (file.size > MAX_UPLOAD_BYTES) throw new AppError("payload_too_large", `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);
  const title = form.get("title");
  return {
    filename: file.name || "upload",
    contentType: file.type || null,
    bytes: new Uint8Array(await file.arrayBuffer()),
    title: typeof title === "string" ? title : null,
  };
}

/** The error as every route gives it, plus where the document already holding this text is. */
function uploadError(err: unknown, slug: string) {
  const { status, body } = toErrorBody(err);
  const documentId = err instanceof AppError && err.code === "conflict" ? err.details?.documentId : undefined;
  const error = typeof documentId === "string" ? { ...body.error, documentId, link: `/${slug}/knowledge/articles/${documentId}` } : body.error;
  return { status, error };
}

export const POST = withMember<{ business: string }>(async (req, { ctx }, { business: slug }) => {
  requireRole(ctx, KNOWLEDGE_EDITORS);
  const input = await readUpload(req);

  if (!(req.headers.get("accept") ?? "").includes("application/x-ndjson")) {
    try {
      return Response.json(await uploadDocument({ ctx, input }), { status: 201 });
    } catch (err) {
      const { status, error } = uploadError(err, slug);
      return Response.json({ error }, { status });
    }
  }

  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: Record<string, unknown>) => controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
      send({ stage: "received", bytes: input.bytes.byteLength });
      try {
        const result = await uploadDocument({ ctx, input }, { onProgress: (p: UploadProgress) => send(p) });
        send({ stage: "done", ...result });
      } catch (err) {
        send({ stage: "error", ...uploadError(err, slug).error });
      }
      controller.close();
    },
  });
  return new Response(stream, { status: 200, headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" } });
});

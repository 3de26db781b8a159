import { redirect } from "next/navigation";

export default async function BusinessHome({ params }: { params: Promise<{ business: string }> }) {
  const { business } = await params;
  redirect(`/${business}/inbox`);
}

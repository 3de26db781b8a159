// A second seeded business, unlike the demo clinic: a lettings and sales agent that serves English
// and Spanish, with its own hand-off rules and emergency advice. Used by bench:answers and tests only.
import { eq } from "drizzle-orm";
import { chunkDocument } from "@/lib/knowledge/chunk";
import type { DbHandle } from "./client";
import { businesses, channels, faqs, knowledgeChunks, knowledgeDocuments } from "./schema";

export const ESTATE_BUSINESS_ID = "00000000-0000-4000-8000-00000000e001";
export const ESTATE_SLUG = "harbour-hale";
export const ESTATE_WEB_CHANNEL_ID = "00000000-0000-4000-8000-00000000e101";

const AI_SETTINGS = {
  persona: "Lettings and sales assistant of Harbour & Hale",
  tone: "friendly and to the point",
  instructions: "Never value a property or promise that a property is available: viewings and valuations are booked with a negotiator.",
  languages: ["en", "es"],
  emergencyAdvice:
    "If you smell gas, leave the property and call the National Gas Emergency line on 0800 111 999 now. For a flood, a fire or a break-in at a home we manage, call our 24-hour repairs line on 0117 496 0999.",
  prohibitedTopics: ["legal advice", "mortgage advice"],
  escalationRules: [
    "The customer wants to make a complaint or is upset.",
    "The customer wants to make an offer on a property.",
    "A tenant reports a repair that makes the home unsafe, such as a gas leak, flooding or no heating.",
  ],
  hours: {
    enabled: true,
    weekly: {
      mon: [{ open: "09:00", close: "18:00" }],
      tue: [{ open: "09:00", close: "18:00" }],
      wed: [{ open: "09:00", close: "18:00" }],
      thu: [{ open: "09:00", close: "18:00" }],
      fri: [{ open: "09:00", close: "18:00" }],
      sat: [{ open: "10:00", close: "16:00" }],
      sun: [],
    },
  },
};

const FAQS: [string, string][] = [
  ["What are your opening hours?", "Our Bristol office is open Monday to Friday 9:00–18:00 and Saturday 10:00–16:00. We are closed on Sundays and bank holidays."],
  ["Where is your office?", "We are at 22 Harbour Road, Bristol BS1 5TT, opposite the M Shed. The nearest car park is Prince Street multi-storey."],
  ["How do I book a viewing?", "Book a viewing on the property's page on our website, by phone on 0117 496 0000, or here in the chat. Viewings run Monday to Saturday, including weekday evenings until 19:30."],
  ["Do tenants pay any fees?", "No. Under the Tenant Fees Act 2019 we charge tenants no fees. You pay the rent, a holding deposit of one week's rent and a tenancy deposit of five weeks' rent."],
  ["How much is the holding deposit?", "The holding deposit is one week's rent. It reserves the property while we do the referencing and is put towards your first month's rent."],
  ["How much is the tenancy deposit and where is it protected?", "The tenancy deposit is five weeks' rent. We register every deposit with the Deposit Protection Service (DPS) within 30 days of receiving it."],
  ["What are your fees for landlords?", "Tenant find costs 8% of the rent plus VAT (9.6% including VAT). Full management costs 12% of the monthly rent plus VAT (14.4% including VAT)."],
  ["What is your commission for selling a house?", "Our sales fee is 1.2% of the sale price plus VAT, on a no sale, no fee basis. There is no charge for photos, floor plans or the Rightmove listing."],
  ["Do you offer free valuations?", "Yes. Our valuations are free and without obligation, and a valuer can usually visit within 48 hours."],
  ["Which areas do you cover?", "We cover central Bristol, Clifton, Redland, Cotham, Bedminster, Southville and Bishopston."],
  ["Do you allow pets?", "It depends on the landlord. About a third of our homes accept pets; each advert says whether pets are considered. Pets may mean a higher rent, but never a bigger deposit than the legal cap."],
  ["How long does referencing take?", "Referencing usually takes 3 to 5 working days. We check your identity, right to rent, credit, employer and previous landlord. Your annual income should be at least 30 times the monthly rent, or you can use a guarantor."],
  ["¿Cuál es su horario?", "Nuestra oficina de Bristol abre de lunes a viernes de 9:00 a 18:00 y los sábados de 10:00 a 16:00. Los domingos y festivos está cerrada."],
  ["¿Cuánto es el depósito de reserva?", "El depósito de reserva es una semana de alquiler. Reserva la vivienda mientras hacemos las referencias y se descuenta del primer mes de alquiler."],
  ["¿Cómo reservo una visita?", "Puede reservar una visita en la página del inmueble en nuestra web, por teléfono en el 0117 496 0000 o aquí en el chat. Hacemos visitas de lunes a sábado."],
];

const DOCUMENTS: [string, string][] = [
  [
    "Renting with Harbour & Hale: a guide for tenants",
    `# Renting with Harbour & Hale

## Applying for a home
Once your offer to rent is accepted you pay a holding deposit of one week's rent and we start referencing. You must sign the tenancy agreement within 15 days of paying the holding deposit, or we may keep it.

## Moving in
Before you move in we send you the tenancy agreement, the gas safety certificate, the EPC, the deposit certificate and the government's How to Rent guide. On the day, we check you in against a photographic inventory and hand over the keys at our office.

## During your tenancy
Rent is due on the same day each month by standing order. Report repairs through the tenant portal or by phone; we aim to attend urgent repairs within 24 hours and routine repairs within 14 days. Most of our tenancies are for 12 months, with a break clause after 6 months.

## Moving out
On a periodic tenancy you give one month's notice, ending on the day before a rent day. We inspect the property against the inventory and agree any deductions with you and the landlord. Your deposit is returned within 10 days of agreeing the deductions.`,
  ],
  [
    "Letting your property: a guide for landlords",
    `# Letting your property

## Our services
Tenant find covers marketing, viewings, referencing and the tenancy agreement. Full management adds rent collection, arranging repairs, inspections every six months and handling the deposit at the end.

## Safety certificates
A landlord needs a gas safety certificate every year, an electrical installation condition report (EICR) every five years, and an EPC rated E or better. Smoke alarms are needed on every floor and a carbon monoxide alarm in any room with a fixed combustion appliance.

## Getting paid
Under full management we pay the rent into your account within 3 working days of receiving it, with a monthly statement.`,
  ],
  [
    "Selling your home with us",
    `# Selling your home

## Before you go on the market
We start with a free valuation. You need an EPC before the first viewing; we can arrange one for £85.

## Marketing
Your home goes on Rightmove, Zoopla and our website with professional photos and a floor plan. Accompanied viewings are included.

## From offer to completion
When you accept an offer we send a memorandum of sale to both solicitors. Completion usually takes 12 to 16 weeks from an accepted offer.`,
  ],
];

/** Seeds the estate agent into a migrated database; returns false when it is already there. */
export async function seedEstateAgent(handle: DbHandle): Promise<boolean> {
  const { db } = handle;
  const [existing] = await db.select({ id: businesses.id }).from(businesses).where(eq(businesses.id, ESTATE_BUSINESS_ID));
  if (existing) return false;
  await db.transaction(async (tx) => {
    await tx.insert(businesses).values({
      id: ESTATE_BUSINESS_ID,
      slug: ESTATE_SLUG,
      name: "Harbour & Hale Estate Agents",
      kind: "estate_agent",
      timeZone: "Europe/London",
      brandColor: "#1d4ed8",
      greeting: "Hello! Ask me about renting, letting or selling with Harbour & Hale.",
      aiSettings: AI_SETTINGS,
    });
    await tx.insert(channels).values({ id: ESTATE_WEB_CHANNEL_ID, businessId: ESTATE_BUSINESS_ID, kind: "web", name: "Web chat", address: ESTATE_SLUG });
    await tx.insert(faqs).values(FAQS.map(([question, answer]) => ({ businessId: ESTATE_BUSINESS_ID, question, answer })));
    for (const [title, content] of DOCUMENTS) {
      const [doc] = await tx.insert(knowledgeDocuments).values({ businessId: ESTATE_BUSINESS_ID, title, content }).returning({ id: knowledgeDocuments.id });
      const chunks = chunkDocument(content);
      await tx.insert(knowledgeChunks).values(chunks.map((c) => ({ ...c, businessId: ESTATE_BUSINESS_ID, documentId: doc!.id })));
    }
  });
  return true;
}

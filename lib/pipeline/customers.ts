// Finding the customer behind an identity, linking a new identity to them, and merging two
// customers when an identity shows they are one person.
import { and, eq, sql, type SQL } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { rows, type Executor, type Tx } from "@/lib/db/client";
import { rowFromJson } from "@/lib/db/json-rows";
import { customerIdentities, customers } from "@/lib/db/schema";
import { leadScoreSql } from "@/lib/intel/leads";
import { identityHash, normaliseIdentity, sealIdentity, type Identity } from "./identities";


export async function findCustomerByIdentity(ex: Executor, businessId: string, identity: Identity) {
  const id = normaliseIdentity(identity);
  const [row] = await ex
    .select({ customer: customers })
    .from(customerIdentities)
    .innerJoin(customers, eq(customers.id, customerIdentities.customerId))
    .where(and(eq(customerIdentities.businessId, businessId), eq(customerIdentities.kind, id.kind), eq(customerIdentities.valueHash, identityHash(id))))
    .limit(1);
  return row?.customer;
}

/**
 * A new customer and their identity (already normalised: normaliseIdentity), in one statement: null
 * when a concurrent first message created them first.
 */
export async function createCustomer(tx: Tx, businessId: string, id: Identity, name?: string | null, values: { lastSeenAt?: Date } = {}) {
  const [row] = await rows<{ customer: unknown }>(
    tx,
    sql`with ${newCustomer(businessId, id, name, values)} select (select row_to_json(c) from new_customer c) as customer`,
  );
  return rowFromJson(customers, row?.customer);
}

/**
 * Common table expressions that create a customer and their identity (already normalised):
 * `new_customer`, the customer's row, or none when `unless` holds or a concurrent first message
 * created them first. The identity goes first and its unique key decides: a conflicting insert
 * waits for the other transaction and then writes nothing, and then no customer row is made either
 * (nor its customer.created webhook). The identity's foreign key is checked at the end of the
 * statement, when the customer row is there.
 */
export function newCustomer(businessId: string, id: Identity, name?: string | null, values: { lastSeenAt?: Date; unless?: SQL } = {}): SQL {
  const customerId = randomUUID();
  const sealed = sealIdentity(id);
  return sql`new_identity as (
      insert into customer_identities (business_id, customer_id, kind, value_hash, value_encrypted)
      select ${businessId}::uuid, ${customerId}::uuid, ${sealed.kind}::identity_kind, ${sealed.valueHash}::text, ${sealed.valueEncrypted}::text
      ${values.unless ? sql`where not (${values.unless})` : sql``}
      on conflict do nothing
      returning id),
    new_customer as (
      insert into customers (id, business_id, name, last_seen_at)
      select ${customerId}::uuid, ${businessId}::uuid, ${name ?? null}::text, ${values.lastSeenAt?.toISOString() ?? null}::timestamptz
      where exists (select 1 from new_identity)
      returning *)`;
}

/**
 * The customer for an identity, created on first contact. Concurrent first messages from one new
 * number make one customer: the unique (business, kind, hash) key decides, and the loser retries
 * the lookup (in a savepoint, so the surrounding transaction survives the violation).
 */
export async function resolveCustomer(tx: Tx, businessId: string, identity: Identity, name?: string | null) {
  const id = normaliseIdentity(identity);
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await findCustomerByIdentity(tx, businessId, id);
    if (found) return { customer: found, created: false };
    const customer = await createCustomer(tx, businessId, id, name);
    if (customer) return { customer, created: true };
  }
  throw new Error("Could not resolve the customer after concurrent inserts");
}

/** Tables holding a customer_id, read from the schema so a new table cannot be forgotten. */
async function customerTables(ex: Executor): Promise<string[]> {
  const r = await rows<{ table_name: string }>(
    ex,
    sql`select c.table_name from information_schema.columns c join information_schema.tables t
        on t.table_name = c.table_name and t.table_schema = c.table_schema
        where c.table_schema = 'public' and c.column_name = 'customer_id' and t.table_type = 'BASE TABLE' order by 1`,
  );
  return r.map((x) => x.table_name).filter((t) => t !== "customer_identities");
}

/** Moves everything of `fromId` onto `intoId` (same business) and deletes `fromId`. */
export async function mergeCustomerInto(tx: Tx, businessId: string, fromId: string, intoId: string) {
  if (fromId === intoId) return;
  // Identities: keep the target's where both have the same one.
  await tx.execute(sql`
    delete from customer_identities f using customer_identities t
    where f.business_id = ${businessId} and t.business_id = ${businessId}
      and f.customer_id = ${fromId} and t.customer_id = ${intoId} and f.kind = t.kind and f.value_hash = t.value_hash`);
  await tx.execute(sql`update customer_identities set customer_id = ${intoId} where business_id = ${businessId} and customer_id = ${fromId}`);
  // A campaign sent to both stays one recipient row (per occurrence of a triggered campaign's event).
  await tx.execute(sql`
    delete from campaign_recipients f using campaign_recipients t
    where f.business_id = ${businessId} and f.customer_id = ${fromId} and t.customer_id = ${intoId} and f.campaign_id = t.campaign_id and f.occurrence = t.occurrence`);
  // One HubSpot contact and one pending upsert per customer: the target's stay.
  await tx.execute(sql`
    delete from hubspot_contacts f where f.business_id = ${businessId} and f.customer_id = ${fromId}
      and exists (select 1 from hubspot_contacts t where t.business_id = ${businessId} and t.customer_id = ${intoId})`);
  await tx.execute(sql`
    delete from hubspot_sync f where f.business_id = ${businessId} and f.customer_id = ${fromId} and f.kind = 'contact' and f.status = 'pending'
      and exists (select 1 from hubspot_sync t where t.business_id = ${businessId} and t.customer_id = ${intoId} and t.kind = 'contact' and t.status = 'pending')`);
  for (const table of await customerTables(tx)) {
    await tx.execute(sql`update ${sql.identifier(table)} set customer_id = ${intoId} where business_id = ${businessId} and customer_id = ${fromId}`);
  }
  await tx.execute(sql`
    update customers t set
      name = coalesce(t.name, f.name),
      tags = (select array(select distinct unnest(t.tags || f.tags))),
      verified = t.verified or f.verified,
      blocked = t.blocked or f.blocked,
      trust_score = least(t.trust_score, f.trust_score),
      consent = f.consent || t.consent,
      last_seen_at = greatest(t.last_seen_at, f.last_seen_at),
      lead_score = ${leadScoreSql(businessId, intoId)},
      lead_stage = coalesce(t.lead_stage, f.lead_stage),
      updated_at = now()
    from customers f
    where t.id = ${intoId} and f.id = ${fromId} and t.business_id = ${businessId} and f.business_id = ${businessId}`);
  await tx.delete(customers).where(and(eq(customers.id, fromId), eq(customers.businessId, businessId)));
}

/**
 * Links another identity to a customer (an email typed in web chat). When the identity already
 * belongs to someone else, they are the same person: the current customer merges into the one
 * who had it, so that customer's history on every channel follows. Returns the surviving customer id.
 */
export async function linkIdentity(tx: Tx, businessId: string, customerId: string, identity: Identity): Promise<string> {
  const id = normaliseIdentity(identity);
  const owner = await findCustomerByIdentity(tx, businessId, id);
  if (owner?.id === customerId) return customerId;
  if (owner) {
    await mergeCustomerInto(tx, businessId, customerId, owner.id);
    return owner.id;
  }
  await tx.insert(customerIdentities).values({ businessId, customerId, ...sealIdentity(id) });
  return customerId;
}

// The demo business the embedded default starts with. The password is for local demos only.
export const DEMO_OWNER = { email: "owner@demo-dental.test", password: "prismai-demo", name: "Dana Demo" } as const;
export const DEMO_BUSINESS_ID = "00000000-0000-4000-8000-00000000d001";
export const DEMO_SLUG = "demo-dental";
